module.exports = require('./build/Release/native.node');
