import { deflateRawSync } from 'node:zlib';
import { Document, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { FileList } from '../../server/notices/components.js';
import { checkEvidence, detectEvidenceType, EVIDENCE_LIMITS } from '../../server/notices/evidence.js';
import type { EvidenceFile } from '../../server/notices/service.js';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

/** A minimal zip holding these (deflated) entries. */
function zip(entries: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = deflateRawSync(Buffer.from(text));
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(text.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(text.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

describe('evidence files are typed by their content', () => {
  it.each([
    ['PDF', bytes('%PDF-1.4\n%%EOF'), 'application/pdf'],
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR'), 'image/png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'image/jpeg'],
    ['GIF', bytes('GIF89a', [1, 0, 1, 0]), 'image/gif'],
    ['WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
  ])('recognises %s', (_, content, mediaType) => {
    expect(detectEvidenceType(content)?.mediaType).toBe(mediaType);
  });

  it('recognises a real .docx and a real .xlsx', async () => {
    const docx = await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('整改报告')] }] }));
    expect(detectEvidenceType(docx)?.label).toBe('Word 文档（.docx）');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('台账').addRow(['事项', '状态']);
    const xlsx = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(detectEvidenceType(xlsx)?.label).toBe('Excel 表格（.xlsx）');
  });

  it.each([
    ['a Windows program named .pdf', bytes('MZ', [0x90, 0, 3, 0])],
    ['an HTML page', bytes('<!doctype html><script>alert(1)</script>')],
    ['a plain zip', zip({ 'readme.txt': 'hello' })],
    ['a zip that only claims Word parts', zip({ 'word/document.xml': '<w:document/>' })],
    ['a truncated zip', bytes([0x50, 0x4b, 0x03, 0x04], 'not really')],
  ])('refuses %s', (_, content) => {
    expect(detectEvidenceType(content)).toBeNull();
  });

  it('accepts an Office document whatever it is called, hashing its bytes', () => {
    const docx = zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' });
    const [checked] = checkEvidence([{ name: 'C:\\Users\\me\\照片.jpg', bytes: docx }]);
    expect(checked).toMatchObject({
      fileName: '照片.jpg',
      mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      size: docx.length,
    });
    expect(checked.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file over 10 MB, an empty file, too many files and an unknown type, naming the file', () => {
    const big = new Uint8Array(EVIDENCE_LIMITS.maxFileBytes + 1);
    big.set(bytes('%PDF-'));
    expect(() => checkEvidence([{ name: '扫描件.pdf', bytes: big }])).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('扫描件.pdf') }),
    );
    expect(() => checkEvidence([{ name: 'empty.pdf', bytes: new Uint8Array() }])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    const pdf = { name: 'a.pdf', bytes: bytes('%PDF-1.4') };
    expect(() => checkEvidence(Array.from({ length: EVIDENCE_LIMITS.maxFiles + 1 }, () => pdf))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => checkEvidence([{ name: 'run.exe', bytes: bytes('MZ') }])).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('run.exe') }),
    );
  });

  it('refuses a file name that cannot be stored as text (NUL, half a character) instead of cutting it', () => {
    for (const name of ['报告\u0000.pdf', '报告\uD800.pdf'])
      expect(() => checkEvidence([{ name, bytes: bytes('%PDF-1.4') }])).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', message: expect.stringContaining('文件名') }),
      );
  });

  it('lists a file with its size and a 校验码 in Chinese, the whole SHA-256 in its title', () => {
    const sha256 = 'f8f754b83fd8'.padEnd(64, '0');
    const file = { id: 'f1', fileName: '整改报告.docx', size: 52_000, sha256 } as EvidenceFile;
    const html = String(FileList({ files: [file], href: () => '/files/f1' }));
    expect(html).toContain(`51 KB · 校验码 <code title="SHA-256 ${sha256}">f8f754b83fd8</code>`);
    expect(html).not.toMatch(/SHA-256 <code/);
  });
});
