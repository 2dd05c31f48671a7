/** What a call throws, for tests of refusals: the SAML fault it names, or any error's message. */
import { expect } from 'vitest';
import { SamlError, type SamlFault } from '../../src/protocols/saml/xml.ts';

export function faultOf(run: () => unknown): SamlFault {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(SamlError);
    return (error as SamlError).fault;
  }
  throw new Error('Expected a SamlError, but nothing was thrown.');
}

export function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('Expected an error, but nothing was thrown.');
}
