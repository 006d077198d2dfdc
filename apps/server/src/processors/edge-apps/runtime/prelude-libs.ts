// The extra libraries of spec 5.1 that gateway apps `require`, in Lua over the worker's `host`
// functions (spliced into the prelude, where `host`, `args` and `newTimer` are in scope):
// `basexx` (pure Lua, byte exact), `http.request`/`http.headers` (the lua-http subset apps use,
// its requests run on the main thread and block like the lynx calls), `ev` (timers over the
// runtime's own loop; there is no loop for the app to run) and `ev.mqtt` (connect and publish,
// see mqtt-publisher.ts). `require` of the spec 5.3 package names gives the globals, as on a
// gateway.
export const preludeLibs = String.raw`
local basexx = {}
do
  local std = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  local url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  local function encode(s, alphabet, pad)
    local out = {}
    for i = 1, #s, 3 do
      local a, b, c = string.byte(s, i, i + 2)
      local n = (a << 16) | ((b or 0) << 8) | (c or 0)
      local q = {}
      for j = 1, 4 do
        local idx = (n >> (6 * (4 - j))) & 63
        q[j] = alphabet:sub(idx + 1, idx + 1)
      end
      if not b then q[3], q[4] = pad, pad elseif not c then q[4] = pad end
      out[#out + 1] = table.concat(q)
    end
    return table.concat(out)
  end
  local function decoder(alphabet)
    local map = {}
    for i = 1, 64 do map[alphabet:byte(i)] = i - 1 end
    return function(s)
      s = tostring(s):gsub('[%s=]', '')
      local out, bits, nbits = {}, 0, 0
      for i = 1, #s do
        local v = map[s:byte(i)]
        if v == nil then return nil, 'invalid character at position ' .. i end
        bits = (bits << 6) | v
        nbits = nbits + 6
        if nbits >= 8 then
          nbits = nbits - 8
          out[#out + 1] = string.char((bits >> nbits) & 255)
        end
        bits = bits & ((1 << nbits) - 1)
      end
      return table.concat(out)
    end
  end
  function basexx.to_base64(s) return encode(tostring(s), std, '=') end
  basexx.from_base64 = decoder(std)
  function basexx.to_url64(s) return encode(tostring(s), url, '') end
  basexx.from_url64 = decoder(url)
  function basexx.to_hex(s) return (tostring(s):gsub('.', function(c) return string.format('%02X', c:byte()) end)) end
  function basexx.from_hex(s)
    s = tostring(s):gsub('%s', '')
    if #s % 2 == 1 or s:find('[^%x]') then return nil, 'invalid hex string' end
    return (s:gsub('%x%x', function(h) return string.char(tonumber(h, 16)) end))
  end
  function basexx.to_bit(s) return (tostring(s):gsub('.', function(c) local b, n = {}, c:byte() for i = 8, 1, -1 do b[i] = tostring(n & 1) n = n >> 1 end return table.concat(b) end)) end
  function basexx.from_bit(s)
    s = tostring(s):gsub('%s', '')
    if #s % 8 ~= 0 or s:find('[^01]') then return nil, 'invalid bit string' end
    return (s:gsub('........', function(b) return string.char(tonumber(b, 2)) end))
  end
end

local Headers = {}
Headers.__index = Headers
local function newHeaders() return setmetatable({ _list = {} }, Headers) end
function Headers:append(name, value) self._list[#self._list + 1] = { string.lower(tostring(name)), tostring(value) } end
function Headers:delete(name)
  name = string.lower(tostring(name))
  local found = false
  for i = #self._list, 1, -1 do
    if self._list[i][1] == name then table.remove(self._list, i) found = true end
  end
  return found
end
function Headers:upsert(name, value)
  self:delete(name)
  self:append(name, value)
end
function Headers:has(name)
  name = string.lower(tostring(name))
  for _, h in ipairs(self._list) do if h[1] == name then return true end end
  return false
end
function Headers:get_as_sequence(name)
  name = string.lower(tostring(name))
  local out = { n = 0 }
  for _, h in ipairs(self._list) do
    if h[1] == name then out.n = out.n + 1 out[out.n] = h[2] end
  end
  return out
end
function Headers:get(name) local seq = self:get_as_sequence(name) return table.unpack(seq, 1, seq.n) end
function Headers:get_comma_separated(name)
  local seq = self:get_as_sequence(name)
  if seq.n == 0 then return nil end
  return table.concat(seq, ',', 1, seq.n)
end
function Headers:each()
  local i = 0
  return function()
    i = i + 1
    local h = self._list[i]
    if h then return h[1], h[2] end
  end
end
function Headers:len() return #self._list end
function Headers:clone()
  local c = newHeaders()
  for _, h in ipairs(self._list) do c:append(h[1], h[2]) end
  return c
end
function Headers:sort() end
local httpHeaders = { new = newHeaders }

local Stream = {}
Stream.__index = Stream
function Stream:get_headers() return self.headers end
function Stream:get_body_as_string() return self.body end
function Stream:get_body_chars(n) return self.body:sub(1, n) end
function Stream:shutdown() return true end

local Request = {}
Request.__index = Request
local httpRequest = {}
function httpRequest.new_from_uri(uri)
  local scheme, rest = tostring(uri):match('^(%a[%w+.-]*)://(.*)$')
  scheme = scheme and scheme:lower()
  if scheme ~= 'http' and scheme ~= 'https' then error('http.request: expected an http:// or https:// URI, got ' .. tostring(uri), 2) end
  local authority = rest:match('^[^/?#]*')
  local path = rest:sub(#authority + 1):gsub('#.*$', '')
  if path == '' or path:sub(1, 1) == '?' then path = '/' .. path end
  local userinfo, hostport = authority:match('^(.*)@(.*)$')
  hostport = hostport or authority
  local h, port = hostport:match('^(%[.*%]):?(%d*)$')
  if not h then h, port = hostport:match('^([^:]*):?(%d*)$') end
  if not h or h == '' then error('http.request: no host in ' .. tostring(uri), 2) end
  local headers = newHeaders()
  headers:append(':method', 'GET')
  headers:append(':authority', hostport)
  headers:append(':path', path)
  headers:append(':scheme', scheme)
  headers:append('user-agent', 'lynx-edge-app')
  if userinfo then headers:append('authorization', 'Basic ' .. basexx.to_base64(userinfo)) end
  return setmetatable({
    host = h, port = tonumber(port) or (scheme == 'https' and 443 or 80), tls = scheme == 'https',
    headers = headers, follow_redirects = true, max_redirects = 5,
  }, Request)
end
function Request:set_body(body)
  if type(body) ~= 'string' then error('http.request: set_body takes a string on this runtime', 2) end
  self.body = body
end
function Request:go(timeout)
  local hs = {}
  for k, v in self.headers:each() do
    if k:sub(1, 1) ~= ':' then hs[#hs + 1] = { k, v } end
  end
  local scheme = self.headers:get(':scheme') or (self.tls and 'https' or 'http')
  local url = scheme .. '://' .. (self.headers:get(':authority') or self.host) .. (self.headers:get(':path') or '/')
  local r = host.call('http', {
    method = self.headers:get(':method') or 'GET', url = url, headers = hs, body = self.body,
    timeout = tonumber(timeout), followRedirects = self.follow_redirects ~= false, maxRedirects = tonumber(self.max_redirects),
  })
  if r.error then return nil, r.error end
  local rh = newHeaders()
  rh:append(':status', tostring(r.value.status))
  for _, pair in ipairs(r.value.headers or {}) do rh:append(pair[1], pair[2]) end
  return rh, setmetatable({ headers = rh, body = r.value.body or '' }, Stream)
end

local ev = { TIMEOUT = 256, READ = 1, WRITE = 2 }
do
  local loop = { is_default = true }
  function loop:now() return host.time() end
  function loop:update_now() end
  function loop:loop() error('ev: the server runs the event loop itself; start watchers and return from the callback', 2) end
  function loop:unloop() end
  ev.Loop = { default = loop }
  local Timer = {}
  Timer.__index = Timer
  ev.Timer = {}
  function ev.Timer.new(fn, after, rep)
    if type(fn) ~= 'function' then error('ev.Timer.new: expected (function, seconds[, repeat])', 2) end
    return setmetatable({ fn = fn, after = tonumber(after) or 0, rep = tonumber(rep) or 0 }, Timer)
  end
  function Timer:stop()
    if self.handle then self.handle:cancel() self.handle = nil end
  end
  function Timer:start(l)
    self:stop()
    local watcher = self
    self.handle = newTimer(self.after, function()
      watcher.handle = nil
      if watcher.rep > 0 then watcher.handle = newTimer(watcher.rep, function() watcher.fn(l or loop, watcher, ev.TIMEOUT) end, true) end
      watcher.fn(l or loop, watcher, ev.TIMEOUT)
    end, false)
  end
  function Timer:again(l)
    self:stop()
    if self.rep > 0 then self.after = self.rep self:start(l) end
  end
  function Timer:is_active() return self.handle ~= nil end
  function Timer:is_pending() return false end
  function Timer:clear_pending() return 0 end
  local function unsupported(what) return { new = function() error('ev.' .. what .. ' is not available to edge apps on the server (no sockets or signals)', 2) end } end
  ev.IO, ev.Signal, ev.Child, ev.Stat = unsupported('IO'), unsupported('Signal'), unsupported('Child'), unsupported('Stat')
end

local evMqtt = {}
do
  local Client = {}
  Client.__index = Client
  function evMqtt.new(_, id) return setmetatable({ id = id and tostring(id) }, Client) end
  function Client:tls_set() self.tls = true return true end
  function Client:username_pw_set(user, password)
    self.username = user and tostring(user)
    self.password = password and tostring(password)
    return true
  end
  function Client:will_set() return true end
  function Client:connect(h, port)
    local r = host.call('mqttConnect', {
      host = tostring(h), port = tonumber(port) or (self.tls and 8883 or 1883), tls = self.tls == true,
      clientId = self.id, username = self.username, password = self.password,
    })
    if r.error then
      host.log('error', r.error)
      return nil, r.error
    end
    self.handle = r.value
    return true
  end
  function Client:pub(topic, payload, qos, retain)
    if not self.handle then return nil, 'ev.mqtt: not connected' end
    if type(payload) == 'table' then payload = json.encode(payload) end
    local r = host.call('mqttPub', self.handle, tostring(topic), tostring(payload == nil and '' or payload), retain == true)
    if r.error then return nil, r.error end
    return true
  end
  Client.publish = Client.pub
  function Client:disconnect()
    if self.handle then host.call('mqttDisconnect', self.handle) self.handle = nil end
    return true
  end
  local noSub = 'ev.mqtt: subscriptions are not available on the server runtime; use mq:sub for this installation'
  function Client:sub() return nil, noSub end
  Client.subscribe = Client.sub
end

local libs = {
  basexx = basexx, ['http.request'] = httpRequest, ['http.headers'] = httpHeaders, ev = ev, ['ev.mqtt'] = evMqtt,
  lynx = lynx, edge = edge, mq = mq, timer = timer, json = json, log = log,
}
for name, lib in pairs(libs) do package.preload[name] = function() return lib end end
-- Only the libraries above exist: nothing is searched for on (the engine's empty) file system.
package.path, package.cpath = '', ''
package.searchers = { package.searchers[1] }
`;
