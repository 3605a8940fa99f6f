// Page tests run in jsdom (miniprogram-simulate renders into a DOM); the
// end-to-end test says `@jest-environment node` itself.
module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/test/**/*.test.js'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.js'],
  testTimeout: 20000
}
