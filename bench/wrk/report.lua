-- Shared by the harness's wrk scripts: prints the run's stats as one JSON line, read by
-- `portcullis-bench record-wrk`. Latencies are in microseconds.
function bench_report(summary, latency)
   local e = summary.errors
   io.write(string.format(
      'BENCH_WRK {"requests":%d,"duration_us":%d,"p50_us":%.1f,"p90_us":%.1f,' ..
      '"p99_us":%.1f,"max_us":%.1f,"connect_errors":%d,"read_errors":%d,' ..
      '"write_errors":%d,"status_errors":%d,"timeouts":%d}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end

function done(summary, latency, requests)
   bench_report(summary, latency)
end

-- Numbers every thread of a run, so scripts can split files between threads.
bench_threads = {}
function setup(thread)
   thread:set("thread_index", #bench_threads)
   table.insert(bench_threads, thread)
end
