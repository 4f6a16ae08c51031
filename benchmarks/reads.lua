-- wrk script of benchmarks/reads.py: sends the requests of a file in turn, each one once
-- until the file is used up, and prints wrk's figures as one JSON line.
--
-- wrk ... -s reads.lua <url> -- <file> <first> <threads>
--   file:    one request a line, "METHOD<TAB>PATH" or "METHOD<TAB>PATH<TAB>JSON BODY"
--   first:   the line to start from (0-based), so consecutive windows carry on where the last
--            one stopped instead of asking the same URLs again
--   threads: wrk's -t; thread n sends lines first + n, first + n + threads, ...
-- The token comes from the environment (KEEL_BENCH_TOKEN), not the command line.
--
-- Every request is formatted once in init(): request() only hands the next one over, so the
-- load generator costs little CPU. No response() function, so wrk does not parse bodies.

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local token = os.getenv("KEEL_BENCH_TOKEN")
  local host = wrk.headers["Host"] or (wrk.host .. ":" .. wrk.port)
  prepared = {}
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    local headers = {
      Host = host,
      Authorization = "Token " .. token,
      Accept = "application/json",
    }
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/json"
    end
    prepared[#prepared + 1] = wrk.format(method, path, headers, body)
  end
  position = tonumber(args[2]) + id
  step = tonumber(args[3])
end

function request()
  local next = prepared[position % #prepared + 1]
  position = position + step
  return next
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'KEEL-WRK {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "errors": {"connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout
  ))
end
