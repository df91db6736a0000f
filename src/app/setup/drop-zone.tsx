import { useRef, useState, type ReactNode } from 'react';
import { rememberDrop } from '../state/remembered-drops.js';
import { filesFromDataTransfer, filesFromInput, handlesFromDataTransfer, type DroppedFile } from './dropped-files.js';

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

/**
 * Drop target for files or folders, with pickers for both (folders are walked recursively). Dropped
 * folders are remembered under the zone's id so a reload can reopen them (state/remembered-drops.ts).
 */
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
        // Both read the DataTransfer synchronously, before it empties at the end of this event.
        const handles = handlesFromDataTransfer(e.dataTransfer);
        void filesFromDataTransfer(e.dataTransfer).then(async (f) => {
          if (!f.length) return;
          onFiles(f);
          await rememberDrop(id, await handles).catch(() => undefined);
        });
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
          // A pick replaces the zone's input, and gives no handle to remember.
          if (f.length) void rememberDrop(id, []).catch(() => undefined);
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
          // A pick replaces the zone's input, and gives no handle to remember.
          if (f.length) void rememberDrop(id, []).catch(() => undefined);
        }}
      />
    </div>
  );
}
