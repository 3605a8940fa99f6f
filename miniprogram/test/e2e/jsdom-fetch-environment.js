// The Jest environment of the end-to-end journey: jsdom (miniprogram-simulate
// renders pages into a DOM) with Node's own fetch, FormData, Blob and
// AbortSignal, so the pages' requests reach the real service over the network.
const { TestEnvironment } = require('jest-environment-jsdom')

const FROM_NODE = ['fetch', 'Headers', 'Request', 'Response', 'FormData', 'Blob', 'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder']

class JsdomWithFetchEnvironment extends TestEnvironment {
  constructor (config, context) {
    super(config, context)
    for (const name of FROM_NODE) this.global[name] = globalThis[name]
  }
}

module.exports = JsdomWithFetchEnvironment
