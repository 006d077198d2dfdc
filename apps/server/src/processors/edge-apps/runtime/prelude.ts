// The spec 5 packages, written in Lua over the worker's `__host` functions. Both call styles
// work (`mq:pub(...)` and `mq.pub(...)`), as apps in the wild use either.
import { preludeLibs } from './prelude-libs.js';

export const prelude = String.raw`
local host = __host
__host = nil

local function args(pkg, ...)
  if (...) == pkg then return select(2, ...) end
  return ...
end

local function fmt(f, ...)
  if select('#', ...) == 0 then return tostring(f) end
  local ok, s = pcall(string.format, tostring(f), ...)
  if ok then return s end
  local parts = { tostring(f) }
  for i = 1, select('#', ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  return table.concat(parts, ' ')
end

log = {}
function log.d(...) host.log('debug', fmt(args(log, ...))) end
function log.i(...) host.log('info', fmt(args(log, ...))) end
function log.w(...) host.log('warn', fmt(args(log, ...))) end
function log.e(...) host.log('error', fmt(args(log, ...))) end
function print(...)
  local parts = {}
  for i = 1, select('#', ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  host.log('info', table.concat(parts, '\t'))
end

json = {}
function json.encode(...)
  local value = args(json, ...)
  local r = host.jsonEncode(value)
  if r.error then error(r.error, 2) end
  return r.value
end
function json.decode(...)
  local s = args(json, ...)
  local r = host.jsonDecode(s)
  if r.error then return nil, r.error end
  return r.value
end
-- The gateway credential file is synthesised (no secrets in it); there is no other file to read.
function json.readfile(...)
  local path = args(json, ...)
  if path == '/etc/iot-open/iotopen.json' then
    local r = host.call('gatewayInfo')
    if r.error then return nil, r.error end
    return r.value
  end
  return nil, 'json.readfile: ' .. tostring(path) .. ' is not available: edge apps on the server have no file system '
    .. '(only /etc/iot-open/iotopen.json can be read)'
end

local timers, nextTimer = {}, 0
local Timer = {}
Timer.__index = Timer
function Timer:cancel()
  if timers[self.id] then
    timers[self.id] = nil
    host.timerClear(self.id)
  end
end
local function newTimer(seconds, fn, rep)
  if type(seconds) ~= 'number' or type(fn) ~= 'function' then error('timer: expected (seconds, function)', 3) end
  nextTimer = nextTimer + 1
  local t = setmetatable({ id = nextTimer, fn = fn, rep = rep }, Timer)
  timers[t.id] = t
  host.timerSet(t.id, seconds * 1000, rep)
  return t
end
timer = {}
function timer.after(...) local s, fn = args(timer, ...) return newTimer(s, fn, false) end
function timer.interval(...) local s, fn = args(timer, ...) return newTimer(s, fn, true) end
function timer.cancel(...) local t = args(timer, ...) if t then t:cancel() end end

local bindings = {}
mq = {}
function mq.sub(...) local topic = args(mq, ...) host.sub(tostring(topic)) return true end
function mq.unsub(...) local topic = args(mq, ...) host.unsub(tostring(topic)) return true end
function mq.bind(...)
  local filter, handler = args(mq, ...)
  if type(handler) ~= 'function' then error('mq.bind: expected (filter, function)', 2) end
  bindings[#bindings + 1] = { filter = tostring(filter), handler = handler }
  return true
end
function mq.unbind(...)
  local filter, handler = args(mq, ...)
  for i = #bindings, 1, -1 do
    local b = bindings[i]
    if b.filter == filter and (handler == nil or b.handler == handler) then table.remove(bindings, i) end
  end
  return true
end
function mq.pub(...)
  local topic, payload, retain, qos = args(mq, ...)
  if type(payload) == 'table' then payload = json.encode(payload) end
  host.pub(tostring(topic), tostring(payload == nil and '' or payload), retain == true, tonumber(qos) or 0)
  return true
end

local function call(op, ...)
  local r = host.call(op, ...)
  if r.error then return nil, { message = r.error } end
  return r.value
end
lynx = {}
for _, op in ipairs({ 'apiCall', 'apiCallRaw', 'getInstallation', 'getFunctions', 'createFunction', 'updateFunction',
  'deleteFunction', 'getDevices', 'createDevice', 'updateDevice', 'deleteDevice', 'getStatus', 'notify', 'getApps',
  'downloadApp' }) do
  lynx[op] = function(...) return call(op, args(lynx, ...)) end
end

local deviceCache = {}
edge = {}
function edge.time() return host.time() end
function edge.tick() return host.tick() end
local function matches(obj, criteria)
  for key, pattern in pairs(criteria) do
    local v
    if key == 'id' or key == 'type' or key == 'installation_id' then v = obj[key] else v = obj.meta and obj.meta[key] end
    if v == nil or not host.fnmatch(tostring(pattern), tostring(v)) then return false end
  end
  return true
end
local function findAll(criteria, list)
  local out = {}
  if type(list) ~= 'table' then return out end
  if type(criteria) == 'number' then criteria = { criteria } end
  if type(criteria) ~= 'table' then return out end
  if #criteria > 0 then
    local wanted = {}
    for _, id in ipairs(criteria) do wanted[tonumber(id) or -1] = true end
    for _, o in ipairs(list) do if wanted[o.id] then out[#out + 1] = o end end
    return out
  end
  for _, o in ipairs(list) do if matches(o, criteria) then out[#out + 1] = o end end
  return out
end
function edge.findFunctions(...) local c, list = args(edge, ...) return findAll(c, list or functions) end
function edge.findFunction(...) local c, list = args(edge, ...) return findAll(c, list or functions)[1] end
function edge.findDevices(...) local c, list = args(edge, ...) return findAll(c, list or deviceCache) end
function edge.findDevice(...) local c, list = args(edge, ...) return findAll(c, list or deviceCache)[1] end

function string.split(s, sep)
  sep = sep or ' '
  local out, start = {}, 1
  while true do
    local i, j = string.find(s, sep, start, true)
    if not i or sep == '' then out[#out + 1] = string.sub(s, start) break end
    out[#out + 1] = string.sub(s, start, i - 1)
    start = j + 1
  end
  return out
end
function string.fnmatchex(s, pattern) return host.fnmatch(pattern, s) end
${preludeLibs}

__edge_timer = function(id)
  local t = timers[id]
  if not t then return end
  if not t.rep then timers[id] = nil end
  t.fn(t)
end
__edge_deliver = function(topic, payload, retained)
  local list = { table.unpack(bindings) }
  for _, b in ipairs(list) do
    if host.match(b.filter, topic) then b.handler(topic, payload, retained) end
  end
end
__edge_devices = function(list) deviceCache = list or {} end
`;
