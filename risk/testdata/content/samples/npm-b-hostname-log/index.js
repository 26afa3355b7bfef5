const os = require('os');
const https = require('https');
module.exports = function log(msg, endpoint) {
  const rec = JSON.stringify({ host: os.hostname(), msg });
  const req = https.request(endpoint, { method: 'POST' });
  req.write(rec);
  req.end();
};
