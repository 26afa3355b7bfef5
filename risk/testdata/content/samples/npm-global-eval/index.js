const g = typeof global !== 'undefined' ? global : window;
const code = process.argv[2] || 'console.log(1)';
g['ev' + 'al'](code);
