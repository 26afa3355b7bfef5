const { execSync } = require('child_process');
module.exports = () => execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
