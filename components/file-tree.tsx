'use client';

import { ChevronRight, File, FileCode, FileText, Folder as FolderIcon, FolderOpen, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { formatBytes } from '@/lib/protocol/format-units';
import { relativeTime } from '@/lib/client/relative-time';
import { baseName, type Folder, type WorkspaceFile } from '@/lib/client/workspace-tree';

type FileTreeProps = {
  tree: Folder;
  selected: string | null;
  onOpen(path: string): void;
  onDelete(path: string): void;
};

const CODE = /\.(html?|css|m?js|jsx|tsx?|json|svg|xml|ya?ml|toml|sh|py)$/i;
const TEXT = /\.(txt|md|csv|log)$/i;

/** The workspace as nested lists: folders fold, files open in the viewer, each file can be deleted. */
export function FileTree({ tree, selected, onOpen, onDelete }: FileTreeProps) {
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (path: string) =>
    setClosed((s) => {
      const next = new Set(s);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  return (
    <ul aria-label="Files" className="py-1.5">
      <FolderContents folder={tree} depth={0} closed={closed} toggle={toggle} selected={selected} onOpen={onOpen} onDelete={onDelete} />
    </ul>
  );
}

type ContentsProps = Omit<FileTreeProps, 'tree'> & { folder: Folder; depth: number; closed: ReadonlySet<string>; toggle(path: string): void };

function FolderContents({ folder, depth, closed, toggle, ...rest }: ContentsProps) {
  const indent = { paddingLeft: `${0.75 + depth * 1.125}rem` };
  return (
    <>
      {folder.folders.map((child) => {
        const open = !closed.has(child.path);
        const Icon = open ? FolderOpen : FolderIcon;
        return (
          <li key={`d:${child.path}`}>
            <button
              type="button"
              aria-expanded={open}
              onClick={() => toggle(child.path)}
              style={indent}
              className="flex h-8 w-full items-center gap-1.5 pr-3 text-left text-sm text-ink hover:bg-sunken"
            >
              <ChevronRight aria-hidden className={`size-3.5 shrink-0 text-muted transition-transform ${open ? 'rotate-90' : ''}`} />
              <Icon aria-hidden className="size-4 shrink-0 text-accent" />
              <span className="truncate font-medium">{child.name}</span>
            </button>
            {open ? (
              <ul aria-label={child.path}>
                <FolderContents folder={child} depth={depth + 1} closed={closed} toggle={toggle} {...rest} />
              </ul>
            ) : null}
          </li>
        );
      })}
      {folder.files.map((file) => (
        <FileRow key={`f:${file.path}`} file={file} indent={indent} {...rest} />
      ))}
    </>
  );
}

function FileRow({ file, indent, selected, onOpen, onDelete }: Omit<FileTreeProps, 'tree'> & { file: WorkspaceFile; indent: { paddingLeft: string } }) {
  const name = baseName(file.path);
  const Icon = CODE.test(name) ? FileCode : TEXT.test(name) ? FileText : File;
  const isSelected = selected === file.path;
  return (
    <li data-testid="file-row" data-path={file.path} className={`group relative flex h-8 items-center pr-1.5 ${isSelected ? 'bg-accent/10' : 'hover:bg-sunken'}`}>
      {/* A live change flashes the row; keyed by the moment, so each change restarts the fade. */}
      {file.touchedAt ? <span key={file.touchedAt} aria-hidden className="pointer-events-none absolute inset-0 animate-flash bg-accent/15" /> : null}
      <button
        type="button"
        aria-current={isSelected ? 'true' : undefined}
        onClick={() => onOpen(file.path)}
        style={{ paddingLeft: `calc(${indent.paddingLeft} + 1.25rem)` }}
        className="relative flex h-full min-w-0 flex-1 items-center gap-1.5 pr-2 text-left text-sm text-ink"
      >
        <Icon aria-hidden className="size-4 shrink-0 text-muted" />
        <span className={`truncate ${isSelected ? 'font-medium' : ''}`}>{name}</span>
      </button>
      <span className="relative shrink-0 text-xs text-muted tabular-nums" title={new Date(file.modifiedAt).toLocaleString()}>
        <span className="hidden sm:inline">{relativeTime(file.modifiedAt)} · </span>
        {formatBytes(file.bytes)}
      </span>
      <button
        type="button"
        aria-label={`Delete ${file.path}`}
        title="Delete"
        onClick={() => onDelete(file.path)}
        className="relative ml-1 grid size-7 shrink-0 place-items-center rounded-md text-muted opacity-60 hover:bg-danger-soft hover:text-danger hover:opacity-100 focus-visible:opacity-100 group-hover:opacity-100"
      >
        <Trash2 aria-hidden className="size-3.5" />
      </button>
    </li>
  );
}
