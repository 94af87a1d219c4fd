-- wrk script for the benchmark: rotate through the paths in a file (one per line), send the
-- session cookie if one is given, and count every answer that is not 2xx as an error.
-- wrk -s bench/rotate.lua URL -- PATHS_FILE [COOKIE] [USER_AGENT]

local threads = {}
local next_offset = 0

function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + 7919  -- threads start at different places in the list
  table.insert(threads, thread)
end

local paths = {}
local counter = 0
errors = 0
statuses = {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  if args[2] and #args[2] > 0 then
    wrk.headers["Cookie"] = "__Host-session=" .. args[2]  -- production's cookie name
  end
  wrk.headers["User-Agent"] = args[3] or "portal-bench/1"
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    errors = errors + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local errs, by_status = 0, {}
  for _, thread in ipairs(threads) do
    errs = errs + (thread:get("errors") or 0)
    for code, n in pairs(thread:get("statuses") or {}) do
      by_status[code] = (by_status[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(by_status) do
    parts[#parts + 1] = string.format('"%s": %d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors": %d, "statuses": {%s}, "socket_errors": ' ..
    '{"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errs, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout))
end
