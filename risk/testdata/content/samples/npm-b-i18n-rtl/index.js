module.exports = { he: 'שלום ‏!', ar: 'مرحبا' };
