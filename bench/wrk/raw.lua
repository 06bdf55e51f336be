-- The raw ceiling: POST /raw {"id": n} with n random in 1..BENCH_RAW_ROWS. It reads the
-- answer's body like refresh.lua does, so the load generator's own cost is the same on
-- both sides of the ratio.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local rows = tonumber(os.getenv("BENCH_RAW_ROWS"))

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT")

function init(args)
   math.randomseed(os.time() + 7919 * thread_index)
   seen = 0
end

function request()
   return wrk.format(nil, "/raw", nil, '{"id":' .. math.random(rows) .. '}')
end

function response(status, headers, body)
   if status == 200 and body:match('"n"%s*:%s*(%d+)') then
      seen = seen + 1
   end
end
