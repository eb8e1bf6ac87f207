import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import type { UploadedFile } from '../http/forms.js';
import { textProblem } from '../../surveys/text.js';
import { zipEntries, ZipFormatError } from '../shared/zip.js';

/** Each evidence file at most 10 MB; a response carries at most 10 of them. */
export const EVIDENCE_LIMITS = { maxFileBytes: 10 * 1024 * 1024, maxFiles: 10 } as const;

export interface EvidenceType {
  mediaType: string;
  /** what people call it, for messages */
  label: string;
}

const PDF: EvidenceType = { mediaType: 'application/pdf', label: 'PDF' };
const PNG: EvidenceType = { mediaType: 'image/png', label: 'PNG 图片' };
const JPEG: EvidenceType = { mediaType: 'image/jpeg', label: 'JPEG 图片' };
const GIF: EvidenceType = { mediaType: 'image/gif', label: 'GIF 图片' };
const WEBP: EvidenceType = { mediaType: 'image/webp', label: 'WebP 图片' };
const DOCX: EvidenceType = {
  mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  label: 'Word 文档（.docx）',
};
const XLSX: EvidenceType = {
  mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  label: 'Excel 表格（.xlsx）',
};

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * What a file is, from its content alone (never its name or the browser's word for it): PDF,
 * PNG, JPEG, GIF, WebP, or an Office Open XML document or workbook (a zip whose parts say so).
 * Anything else is null.
 */
export function detectEvidenceType(bytes: Uint8Array): EvidenceType | null {
  if (startsWith(bytes, ascii('%PDF-'))) return PDF;
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return GIF;
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return WEBP;
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    let names: Set<string>;
    try {
      names = new Set(zipEntries(bytes, 10_000).map((e) => e.name));
    } catch (error) {
      if (error instanceof ZipFormatError) return null;
      throw error;
    }
    if (!names.has('[Content_Types].xml')) return null;
    if (names.has('word/document.xml')) return DOCX;
    if (names.has('xl/workbook.xml')) return XLSX;
  }
  return null;
}

export interface CheckedEvidence {
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  content: Uint8Array;
}

/** Names as people gave them, without any path and within a sane length. */
function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop()?.trim() ?? '';
  return (base || '证明材料').slice(0, 200);
}

/** Check every file (count, size, type by content) before anything is stored; the first bad one is named. */
export function checkEvidence(files: UploadedFile[]): CheckedEvidence[] {
  if (files.length > EVIDENCE_LIMITS.maxFiles)
    throw new AppError('VALIDATION_FAILED', `一次最多上传 ${EVIDENCE_LIMITS.maxFiles} 个证明材料`);
  return files.map((file) => {
    const problem = textProblem(file.name);
    if (problem) throw new AppError('VALIDATION_FAILED', `文件名${problem}`);
    const fileName = cleanName(file.name);
    if (file.bytes.length === 0) throw new AppError('VALIDATION_FAILED', `文件“${fileName}”是空的`);
    if (file.bytes.length > EVIDENCE_LIMITS.maxFileBytes)
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `文件“${fileName}”超过 ${EVIDENCE_LIMITS.maxFileBytes / 1024 / 1024} MB，请压缩或拆分后再上传`,
      );
    const type = detectEvidenceType(file.bytes);
    if (!type)
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `文件“${fileName}”不是 PDF、图片（PNG/JPEG/GIF/WebP）、Word（.docx）或 Excel（.xlsx）文件（按文件内容判断，与扩展名无关）`,
      );
    return {
      fileName,
      mediaType: type.mediaType,
      size: file.bytes.length,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      content: file.bytes,
    };
  });
}
