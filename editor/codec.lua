---@meta codec
-- lua-language-server annotations for require("codec"): the table of
-- luasock's codecs and digests. Its PHP-named functions, JSON_* flags and
-- json_null are the globals of the same names (editor/luasock.lua); the
-- URL-alphabet base64 functions, which PHP has no name for, live only here.

local codec = {}

codec.base64_encode = base64_encode
codec.base64_decode = base64_decode
codec.bin2hex = bin2hex
codec.hex2bin = hex2bin
codec.md5 = md5
codec.sha1 = sha1
codec.crc32 = crc32
codec.hash = hash
codec.hash_algos = hash_algos
codec.hash_hmac = hash_hmac
codec.hash_hmac_algos = hash_hmac_algos
codec.hash_equals = hash_equals
codec.random_bytes = random_bytes
codec.random_int = random_int
codec.json_encode = json_encode
codec.json_decode = json_decode
codec.json_null = json_null
codec.JSON_HEX_TAG = JSON_HEX_TAG
codec.JSON_HEX_AMP = JSON_HEX_AMP
codec.JSON_HEX_APOS = JSON_HEX_APOS
codec.JSON_HEX_QUOT = JSON_HEX_QUOT
codec.JSON_FORCE_OBJECT = JSON_FORCE_OBJECT
codec.JSON_UNESCAPED_SLASHES = JSON_UNESCAPED_SLASHES
codec.JSON_PRETTY_PRINT = JSON_PRETTY_PRINT
codec.JSON_UNESCAPED_UNICODE = JSON_UNESCAPED_UNICODE
codec.JSON_UNESCAPED_LINE_TERMINATORS = JSON_UNESCAPED_LINE_TERMINATORS
codec.JSON_INVALID_UTF8_IGNORE = JSON_INVALID_UTF8_IGNORE
codec.JSON_INVALID_UTF8_SUBSTITUTE = JSON_INVALID_UTF8_SUBSTITUTE
codec.JSON_OBJECT_AS_ARRAY = JSON_OBJECT_AS_ARRAY
codec.JSON_BIGINT_AS_STRING = JSON_BIGINT_AS_STRING

---base64 with RFC 4648's URL alphabet ("-" and "_"), without "=" padding
---unless padding is true (JWTs and URLs leave it out).
---@param s string
---@param padding? boolean
---@return string
function codec.base64url_encode(s, padding) end

---base64_decode's rules over the URL alphabet; padding optional.
---@param s string
---@param strict? boolean
---@return string|nil data
---@return string? errstr "Invalid base64 data"
---@return integer? errno 0
function codec.base64url_decode(s, strict) end

return codec
