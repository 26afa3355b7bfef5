const res = await fetch('https://api.github.com/repos/nodejs/node/releases/latest');
const data = JSON.parse(await res.text());
export default data.tag_name;
