/** Problems with data or settings are final (retrying gets the same answer), never taken for bugs. */
import { describe, expect, it } from 'vitest';
import { ConfigError, readPositiveInt } from '../../../shared/config/variables.js';
import { ObjectRejectedError } from '../../../shared/core/report.js';
import { parseSymbolState, StateFormatError } from '../../../shared/core/symbolState.js';
import { classify, describeError } from '../../../shared/errors.js';
import { readText } from '../../helpers/read.js';

describe('error kinds', () => {
  it.each([
    ['not an object', 'text'],
    ['lastMinute', { lastMinute: 1.5, lastClose: null, window: [] }],
    ['lastClose', { lastMinute: null, lastClose: 10, window: [] }],
    ['window', { lastMinute: null, lastClose: null }],
    ['window entry', { lastMinute: 1, lastClose: '1', window: [{ minute: 1, volume: 5 }] }],
  ])('a corrupt stored symbol state (%s) is a final StateFormatError', (what, value) => {
    const error = (() => {
      try {
        parseSymbolState(value);
      } catch (thrown) {
        return thrown;
      }
      throw new Error('parsed');
    })();
    expect(error).toBeInstanceOf(StateFormatError);
    expect(classify(error)).toBe('final');
    expect(describeError(error)).toBe(`StateFormatError: not a symbol state: ${what}`);
  });

  it('an object the contract rejects is final, its message unchanged', async () => {
    const error = await readText('timestamp,open,close\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectRejectedError);
    expect(classify(error)).toBe('final');
    expect(describeError(error)).toBe('ObjectRejectedError: missing required columns: high, low, volume');
  });

  it('a malformed setting is final', () => {
    const error = (() => {
      try {
        readPositiveInt('BATCH_MINUTES', { BATCH_MINUTES: '-1' });
      } catch (thrown) {
        return thrown;
      }
      throw new Error('read');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(classify(error)).toBe('final');
  });
});
