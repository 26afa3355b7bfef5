const env = process.env;
module.exports = {
  port: Number(env.PORT || 3000),
  debug: env.DEBUG === '1',
  all: Object.keys(process.env).filter((k) => k.startsWith('APP_')),
};
