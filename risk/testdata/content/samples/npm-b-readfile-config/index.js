const fs = require('fs');
module.exports = async function load(p) {
  const cfg = JSON.parse(fs.readFileSync(p || './app.config.json', 'utf8'));
  const res = await fetch(cfg.url);
  return res.json();
};
