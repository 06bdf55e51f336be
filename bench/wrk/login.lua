-- Logins (token_delivery: body) round-robin over the users in BENCH_EMAILS, all with
-- the password BENCH_PASSWORD.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local emails_path = os.getenv("BENCH_EMAILS")
local password = os.getenv("BENCH_PASSWORD")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT")

function init(args)
   emails = {}
   for line in io.lines(emails_path) do
      if line ~= "" then
         emails[#emails + 1] = line
      end
   end
   next_email = thread_index
end

function request()
   next_email = next_email % #emails + 1
   local body = string.format('{"email":"%s","password":"%s","token_delivery":"body"}',
      emails[next_email], password)
   return wrk.format(nil, "/api/v1/auth/login", nil, body)
end
