import { describe, expect, it } from 'vitest';
import { bytesToBase64, maxBrowserUploadBytes, mimeFor, uploadProblem } from './file-upload.js';

describe('bytesToBase64', () => {
  it('encodes bytes as the server decodes them', () => expect(bytesToBase64(new Uint8Array([0, 255, 104, 105]))).toBe(Buffer.from([0, 255, 104, 105]).toString('base64')));
  it('encodes more than one chunk', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });
});

describe('uploadProblem', () => {
  it('accepts a normal file', () => expect(uploadProblem({ name: 'plan.pdf', size: 1000 })).toBeNull());
  it('refuses empty and too large files with their name', () => {
    expect(uploadProblem({ name: 'a.txt', size: 0 })).toMatch(/"a.txt" is empty/);
    expect(uploadProblem({ name: 'big.zip', size: maxBrowserUploadBytes + 1 })).toMatch(/"big.zip" is 6.0 MB.*REST API/);
  });
});

describe('mimeFor', () => {
  it("keeps the browser's type", () => expect(mimeFor({ name: 'a.png', type: 'image/png' })).toBe('image/png'));
  it('falls back to the extension', () => expect(mimeFor({ name: 'fw.HEX', type: '' })).toBe('application/x-ihex'));
  it('leaves unknown types to the server', () => expect(mimeFor({ name: 'x.exe', type: '' })).toBeUndefined());
});
