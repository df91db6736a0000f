import { useRef, useState, type ReactNode } from 'react';
import { filesFromDataTransfer, filesFromInput, type DroppedFile } from './dropped-files.js';

interface DropZoneProps {
  /** Used for test ids: `drop-<id>`, `pick-folder-<id>`, `pick-files-<id>`. */
  id: string;
  label: string;
  hint?: ReactNode;
  onFiles(files: DroppedFile[]): void;
  folder?: boolean;
  accept?: string;
  compact?: boolean;
}

/** Drop target for files or folders, with pickers for both (folders are walked recursively). */
export function DropZone({ id, label, hint, onFiles, folder = true, accept, compact = false }: DropZoneProps) {
  const [over, setOver] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}${compact ? ' compact' : ''}`}
      data-testid={`drop-${id}`}
      onDragOver={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        void filesFromDataTransfer(e.dataTransfer).then((f) => f.length && onFiles(f));
      }}
    >
      <span className="drop-label">{label}</span>
      {hint && <span className="drop-hint">{hint}</span>}
      <span className="drop-actions">
        {folder && (
          <button type="button" onClick={() => folderInput.current?.click()}>
            Choose folder…
          </button>
        )}
        <button type="button" onClick={() => fileInput.current?.click()}>
          Choose files…
        </button>
      </span>
      <input
        ref={folderInput}
        type="file"
        hidden
        data-testid={`pick-folder-${id}`}
        {...({ webkitdirectory: '', directory: '' } as Record<string, string>)}
        onChange={(e) => {
          const f = filesFromInput(e.target.files);
          e.target.value = '';
          if (f.length) onFiles(f);
        }}
      />
      <input
        ref={fileInput}
        type="file"
        hidden
        multiple
        accept={accept}
        data-testid={`pick-files-${id}`}
        onChange={(e) => {
          const f = filesFromInput(e.target.files);
          e.target.value = '';
          if (f.length) onFiles(f);
        }}
      />
    </div>
  );
}
