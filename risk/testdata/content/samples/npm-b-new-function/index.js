var g = typeof globalThis !== 'undefined' ? globalThis : new Function('return this')();
module.exports = g;
