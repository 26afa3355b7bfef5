const https = require('https');
const fs = require('fs');
const { execFileSync } = require('child_process');
const url = 'https://registry.npmjs.org/@bin-installer/linux-x64/-/linux-x64-1.0.0.tgz';
https.get(url, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => {
    fs.writeFileSync('bin/tool', extract(Buffer.concat(chunks)));
    fs.chmodSync('bin/tool', 0o755);
    execFileSync('bin/tool', ['--version']);
  });
});
function extract(b) { return b; }
