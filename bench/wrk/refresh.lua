-- Refresh rotation over many sessions. BENCH_TOKENS holds one refresh token per line;
-- each thread takes every n-th line, presents each token once, and queues the successor
-- from the answer. At the end the tokens still unused are written back to BENCH_TOKENS
-- for the next run (those in flight when wrk stopped are lost).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local tokens_path = os.getenv("BENCH_TOKENS")
local thread_count = tonumber(os.getenv("BENCH_THREADS"))

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT")

function init(args)
   pool, head, tail = {}, 1, 0
   local i = 0
   for line in io.lines(tokens_path) do
      if line ~= "" then
         if i % thread_count == thread_index then
            tail = tail + 1
            pool[tail] = line
         end
         i = i + 1
      end
   end
end

function request()
   local token = "the-pool-ran-dry"
   if head <= tail then
      token = pool[head]
      pool[head] = nil
      head = head + 1
   end
   return wrk.format(nil, "/api/v1/auth/refresh", nil, '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
   if status == 200 then
      local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
      if token then
         tail = tail + 1
         pool[tail] = token
      end
   end
end

function done(summary, latency, requests)
   bench_report(summary, latency)
   local out = assert(io.open(tokens_path, "w"))
   for _, thread in ipairs(bench_threads) do
      local p, h, t = thread:get("pool"), thread:get("head"), thread:get("tail")
      for k = h, t do
         if p[k] then
            out:write(p[k], "\n")
         end
      end
   end
   out:close()
end
