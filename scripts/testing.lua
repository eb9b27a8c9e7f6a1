-- A small test helper for luasock's Lua suite: test(name, fn), checks, and
-- a summary line "N passed, N failed" (exit status 1 when anything failed).
local T = {passed = 0, failed = 0}

function T.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    T.passed = T.passed + 1
  else
    T.failed = T.failed + 1
    print("FAIL " .. name .. ": " .. tostring(err))
  end
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function T.eq(got, want, what)
  if got ~= want then
    error((what or "value") .. ": got " .. show(got) .. ", want " .. show(want), 2)
  end
end

function T.match(got, pattern, what)
  if type(got) ~= "string" or not got:match(pattern) then
    error((what or "value") .. ": " .. show(got) .. " does not match " .. show(pattern), 2)
  end
end

-- fails checks a `nil, errstr, errno` result.
function T.fails(errstr, errno, ...)
  local v, s, n = ...
  if v ~= nil or s ~= errstr or n ~= errno then
    error("got " .. show(v) .. ", " .. show(s) .. ", " .. show(n) ..
      "; want nil, " .. show(errstr) .. ", " .. show(errno), 2)
  end
end

-- raises checks that fn(...) raises an error containing text.
function T.raises(text, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("no error raised, want " .. show(text), 2) end
  if not tostring(err):find(text, 1, true) then
    error("error " .. show(tostring(err)) .. " lacks " .. show(text), 2)
  end
end

function T.done()
  print(T.passed .. " passed, " .. T.failed .. " failed")
  if T.failed > 0 then os.exit(1) end
end

return T
