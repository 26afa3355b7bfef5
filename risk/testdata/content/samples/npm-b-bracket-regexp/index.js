const re = /([a-z]+)-(\d+)/;
const m = re['exec']('abc-12');
const parts = ['a', 'b'].join('');
module.exports = { m, parts };
