'use client';

import { useState, type DragEvent } from 'react';

/** Files dragged over a panel: `active` while they hover (counted, since children fire their own enter/leave), an upload when they land. */
export function useDropZone(onFiles: (files: FileList) => void) {
  const [depth, setDepth] = useState(0);
  const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');
  return {
    active: depth > 0,
    handlers: {
      onDragEnter(e: DragEvent) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        setDepth((d) => d + 1);
      },
      onDragOver(e: DragEvent) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave(e: DragEvent) {
        if (!carriesFiles(e)) return;
        setDepth((d) => Math.max(0, d - 1));
      },
      onDrop(e: DragEvent) {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        setDepth(0);
        if (e.dataTransfer.files.length) onFiles(e.dataTransfer.files);
      },
    },
  };
}
