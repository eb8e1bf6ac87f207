/**
 * The office's one upload form (departments, evaluators, responses), handled by admin.js: it
 * shows the import summary or a table of the bad lines; "只检查" sends dryRun.
 */
export function ImportForm({ endpoint, accept }: { endpoint: string; accept: string }) {
  return (
    <form class="import inline" data-endpoint={endpoint} enctype="multipart/form-data">
      <label>
        文件 <input type="file" name="file" accept={accept} required />
      </label>
      <label class="check">
        <input type="checkbox" name="dryRun" value="1" /> 只检查，不导入
      </label>
      <button type="submit">上传</button>
      <div class="result" aria-live="polite"></div>
    </form>
  );
}
