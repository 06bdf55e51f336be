-- A paced probe: each connection waits BENCH_PROBE_PAUSE_MS between requests, so the
-- probe itself never saturates the server and its latency is service time plus whatever
-- else competes for the CPU.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local pause = tonumber(os.getenv("BENCH_PROBE_PAUSE_MS") or "10")

function delay()
   return pause
end
