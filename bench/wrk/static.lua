-- The same request over and over (wrk's fast path): GET with the -H headers given.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
