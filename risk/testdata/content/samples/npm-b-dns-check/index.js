const dns = require('dns');
module.exports = (cb) => dns.lookup('registry.npmjs.org', (err) => cb(!err));
