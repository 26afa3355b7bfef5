const os = require('os');
module.exports = () => {
  console.log('Add this line to ' + os.homedir() + '/.bashrc:');
  console.log('  source <(mytool completion bash)');
};
