/**
 * The office's one upload form (departments, evaluators, responses), handled by admin.js: it
 * shows the import summary or a table of the bad lines (line, the sheet's own header, problem);
 * "只检查" sends dryRun. `template`: the .xlsx template to fill in, offered beside the upload.
 */
export function ImportForm({ endpoint, accept, template }: { endpoint: string; accept: string; template?: string }) {
  return (
    <form class="import inline" data-endpoint={endpoint} enctype="multipart/form-data">
      <label>
        文件 <input type="file" name="file" accept={accept} required />
      </label>
      <label class="check">
        <input type="checkbox" name="dryRun" value="1" /> 只检查，不导入
      </label>
      <button type="submit">上传</button>
      {template && (
        <a class="template" href={template} download>
          下载导入模板（.xlsx）
        </a>
      )}
      <div class="result" aria-live="polite"></div>
    </form>
  );
}
