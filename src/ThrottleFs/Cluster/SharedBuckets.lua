-- One host's lease of (or return to) a cluster-wide group's buckets, atomically, by Redis's own clock.
--
-- KEYS[1]  the buckets (hash): t = time of the last refill; per bucket k (0..5, ThrottleFs's BucketKind order)
--          leaky: l<k> level, b<k> burst level (QEMU); token: r<k> remain, a<k> available (librbd).
-- KEYS[2]  the hosts (hash): host -> "seen want0..want5 claim0..claim5".
-- ARGV     host, "lease" | "return", "leaky" | "token", then per bucket: avg, max, max-length, amount.
-- Returns  the six grants, then per host seen in the last minute: name, share of the demand, seconds since seen.
--
-- Room that nobody has claimed goes to the hosts that asked in the last CLAIM seconds, in proportion to what they ask
-- and up to it; each takes its claim when it next asks. Keep in step with tests/Qos.Tests/FakeSharedBuckets.cs.

local CLAIM, ACTIVE, FORGET = 0.1, 1, 60
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1e6
local host, returning, token = ARGV[1], ARGV[2] == 'return', ARGV[3] == 'token'

local cfg = {}
for k = 0, 5 do
  local i = 4 + k * 4
  cfg[k] = { avg = tonumber(ARGV[i]), max = tonumber(ARGV[i + 1]), len = tonumber(ARGV[i + 2]), amount = tonumber(ARGV[i + 3]) }
end

local function num(x) return string.format('%.17g', x) end

local s = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do s[raw[i]] = tonumber(raw[i + 1]) end
local elapsed = math.max(now - (s.t or now), 0)
s.t = now

local function burstOf(c) return c.max > 0 and c.max or c.avg end

for k = 0, 5 do
  local c = cfg[k]
  if c.avg > 0 then
    if token then
      local max = burstOf(c)
      local cap = max * math.max(c.len, 1)
      local remain, avail = s['r' .. k], s['a' .. k]
      if remain == nil then
        remain = cap
        avail = math.min(max * math.max(1 / c.avg, 0.05), remain)
      else
        remain = math.min(remain + c.avg * elapsed, cap)
        avail = math.min(avail + max * elapsed, max, remain)
      end
      s['r' .. k], s['a' .. k] = remain, avail
    else
      s['l' .. k] = math.max((s['l' .. k] or 0) - c.avg * elapsed, 0)
      s['b' .. k] = math.max((s['b' .. k] or 0) - c.max * elapsed, 0)
    end
  end
end

local function room(k)
  local c = cfg[k]
  if token then return s['a' .. k] end
  local size = c.max == 0 and c.avg / 10 or c.max * c.len
  local free = size - s['l' .. k]
  if c.len > 1 then free = math.min(free, c.max / 10 - s['b' .. k]) end
  return free
end

-- Negative amounts give credit back.
local function take(k, amount)
  local c = cfg[k]
  if token then
    local max = burstOf(c)
    s['r' .. k] = math.min(s['r' .. k] - amount, max * math.max(c.len, 1))
    s['a' .. k] = math.min(s['a' .. k] - amount, max, s['r' .. k])
  else
    s['l' .. k] = math.max(s['l' .. k] + amount, 0)
    s['b' .. k] = math.max(s['b' .. k] + amount, 0)
  end
end

local hosts = {}
raw = redis.call('HGETALL', KEYS[2])
for i = 1, #raw, 2 do
  local f = {}
  for v in string.gmatch(raw[i + 1], '%S+') do f[#f + 1] = tonumber(v) end
  local h = { seen = f[1], want = {}, claim = {} }
  for k = 0, 5 do h.want[k], h.claim[k] = f[2 + k] or 0, f[8 + k] or 0 end
  if now - h.seen <= FORGET then hosts[raw[i]] = h else redis.call('HDEL', KEYS[2], raw[i]) end
end

local self = hosts[host]
if self == nil then
  self = { want = {}, claim = {} }
  for k = 0, 5 do self.want[k], self.claim[k] = 0, 0 end
  hosts[host] = self
end
self.seen = now

local granted = {}
for k = 0, 5 do granted[k] = 0 end
if returning then
  for k = 0, 5 do
    self.want[k], self.claim[k] = 0, 0
    if cfg[k].avg > 0 then take(k, -cfg[k].amount) end
  end
else
  local active = {}
  for _, h in pairs(hosts) do
    if now - h.seen <= CLAIM then active[#active + 1] = h else for k = 0, 5 do h.claim[k] = 0 end end
  end
  for k = 0, 5 do self.want[k] = cfg[k].amount end
  for k = 0, 5 do
    if cfg[k].avg > 0 then
      local claimed = 0
      for _, h in ipairs(active) do claimed = claimed + h.claim[k] end
      local free = math.max(room(k) - claimed, 0)
      for _ = 1, #active do
        if free <= 1e-9 then break end
        local weight, handed = 0, 0
        for _, h in ipairs(active) do
          if h.want[k] - h.claim[k] > 1e-9 then weight = weight + h.want[k] end
        end
        if weight <= 0 then break end
        local unmet = {}
        for _, h in ipairs(active) do
          if h.want[k] - h.claim[k] > 1e-9 then unmet[#unmet + 1] = h end
        end
        for _, h in ipairs(unmet) do
          local add = math.min(free * h.want[k] / weight, h.want[k] - h.claim[k])
          h.claim[k] = h.claim[k] + add
          handed = handed + add
        end
        free = free - handed
      end
      granted[k] = math.min(self.want[k], self.claim[k])
      self.claim[k] = self.claim[k] - granted[k]
      take(k, granted[k])
    end
  end
end

-- Write back, and keep the keys as long as a bucket is not back to idle, plus a minute.
local fields, keep = {}, FORGET
for name, value in pairs(s) do
  fields[#fields + 1] = name
  fields[#fields + 1] = num(value)
end
for k = 0, 5 do
  local c = cfg[k]
  if c.avg > 0 then
    if token then
      keep = math.max(keep, (burstOf(c) * math.max(c.len, 1) - s['r' .. k]) / c.avg + FORGET)
    else
      keep = math.max(keep, s['l' .. k] / c.avg + FORGET)
    end
  end
end
redis.call('HSET', KEYS[1], unpack(fields))
local hostFields = {}
for name, h in pairs(hosts) do
  local parts = { num(h.seen) }
  for k = 0, 5 do parts[#parts + 1] = num(h.want[k]) end
  for k = 0, 5 do parts[#parts + 1] = num(h.claim[k]) end
  hostFields[#hostFields + 1] = name
  hostFields[#hostFields + 1] = table.concat(parts, ' ')
end
redis.call('HSET', KEYS[2], unpack(hostFields))
local ms = math.ceil(keep * 1000)
redis.call('PEXPIRE', KEYS[1], ms)
redis.call('PEXPIRE', KEYS[2], ms)

-- A host's share is its part of the demand, averaged over the buckets anyone asks for.
local result = {}
for k = 0, 5 do result[#result + 1] = num(granted[k]) end
local totals = {}
for k = 0, 5 do
  totals[k] = 0
  for _, h in pairs(hosts) do if now - h.seen <= ACTIVE then totals[k] = totals[k] + h.want[k] end end
end
for name, h in pairs(hosts) do
  local sum, count = 0, 0
  for k = 0, 5 do
    if totals[k] > 0 then
      count = count + 1
      if now - h.seen <= ACTIVE then sum = sum + h.want[k] / totals[k] end
    end
  end
  result[#result + 1] = name
  result[#result + 1] = num(count > 0 and sum / count or 0)
  result[#result + 1] = num(now - h.seen)
end
return result
