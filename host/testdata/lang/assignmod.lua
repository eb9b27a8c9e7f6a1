local M = {}
function M.swap(a, b)
  a, b = b, a
  return a, b
end
return M
