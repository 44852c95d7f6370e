// SPDX-License-Identifier: MIT

package aionl

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"
	"time"
)

// Statx is what statx(2) tells of a file, as a STATX request through the
// socket filled it: the Sys() of the fs.FileInfo that Stat returns.
type Statx struct {
	Mask           uint32 // STATX_ bits of the fields filled (StatxBasicStats, StatxBtime...)
	Blksize        uint32
	Attributes     uint64 // STATX_ATTR_ bits
	Nlink          uint32
	Uid, Gid       uint32
	Mode           uint16 // st_mode: the file type and permission bits
	Ino            uint64
	Size           uint64
	Blocks         uint64 // 512-byte blocks allocated
	AttributesMask uint64
	// Btime is the zero Time unless Mask has StatxBtime.
	Atime, Btime, Ctime, Mtime time.Time
	Rdev, Dev                  uint64 // as syscall.Stat_t's
	MntID                      uint64 // 0 on the kernel backend, which cannot tell it (no StatxMntID)
}

// fileStat is the fs.FileInfo of a Statx, as os.File.Stat's is of a
// syscall.Stat_t.
type fileStat struct {
	name string
	sx   Statx
}

func (s *fileStat) Name() string       { return s.name }
func (s *fileStat) Size() int64        { return int64(s.sx.Size) }
func (s *fileStat) ModTime() time.Time { return s.sx.Mtime }
func (s *fileStat) IsDir() bool        { return s.Mode().IsDir() }
func (s *fileStat) Sys() any           { return &s.sx }

// Mode is the fs.FileMode of the st_mode bits, as package os converts them.
func (s *fileStat) Mode() fs.FileMode {
	m := uint32(s.sx.Mode)
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// Allocate runs fallocate(2) on n bytes of the file from off, with mode (0,
// AllocateKeepSize, AllocatePunchHole|AllocateKeepSize, AllocateZeroRange,
// ...), in the engine or the kernel module as the caller: a slow file system
// holds the request, never an OS thread. Errors are fallocate(2)'s (EOPNOTSUPP
// for a mode the file system lacks, EFBIG past RLIMIT_FSIZE...).
func (f *File) Allocate(mode AllocateMode, off, n int64) error {
	return f.AllocateContext(context.Background(), mode, off, n)
}

// AllocateContext is Allocate, stopping when ctx ends: it then cancels the
// request and returns ctx.Err() if the cancel reached it before it ran (one
// that runs finishes, and reports its own result).
func (f *File) AllocateContext(ctx context.Context, mode AllocateMode, off, n int64) error {
	switch {
	case off < 0:
		return errInvalid("fallocate", f.name, errNegativeOffset.Error())
	case n <= 0:
		return errInvalid("fallocate", f.name, "length must be positive")
	case uint32(mode)&^fallocModeMask != 0:
		return errInvalid("fallocate", f.name, "unknown mode bits")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, _, err := f.start(ctx, "fallocate", func(o *op) {
		o.req.setFallocate(f.handle, uint32(mode), uint64(off), uint64(n), o.cookie)
	})
	return err
}

// Copy copies n bytes of src from srcOff into dst at dstOff, as
// copy_file_range(2) does with both offsets given (neither file's offset
// moves), in the engine or the kernel module as the caller: the file system
// may share the blocks or copy on its server, and no byte passes through
// the program. It returns the bytes copied, which may be fewer than n (0 at
// or past the end of src); n is 1 to 2 GiB less 4 KiB. Errors are
// copy_file_range(2)'s, as *Error naming src: EXDEV between two file systems
// the kernel does not copy between, EINVAL for overlapping ranges of one
// file, EBADF for a dst not open for writing or opened with O_APPEND.
func (c *Ctx) Copy(dst *File, dstOff int64, src *File, srcOff int64, n int64) (int64, error) {
	return c.CopyContext(context.Background(), dst, dstOff, src, srcOff, n)
}

// CopyContext is Copy, stopping when ctx ends: it then cancels the request
// and returns ctx.Err() if the cancel reached it before it ran (one that
// runs finishes, and reports its own result).
func (c *Ctx) CopyContext(ctx context.Context, dst *File, dstOff int64, src *File, srcOff int64, n int64) (int64, error) {
	if src == nil || dst == nil {
		return 0, errInvalid("copy", "", "no source or destination File")
	}
	res, err := c.Do(ctx, CopyOp(dst, dstOff, src, srcOff, n))
	if err != nil {
		return 0, err
	}
	return int64(res[0].N), res[0].Err
}

// Stat returns what statx(2) tells of the file, asked through the socket: an
// fs.FileInfo whose Sys() is a *Statx. With it, File is an fs.File.
func (f *File) Stat() (fs.FileInfo, error) {
	return f.StatContext(context.Background())
}

// StatContext is Stat, stopping when ctx ends.
func (f *File) StatContext(ctx context.Context) (fs.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	buf := cCalloc(statxSize)
	defer cFree(buf)
	if _, _, err := f.start(ctx, "stat", func(o *op) {
		o.req.setStatx(f.handle, nil, 0, statxDefaultMasks, buf, o.cookie)
	}); err != nil {
		return nil, err
	}
	return &fileStat{name: filepath.Base(f.name), sx: statxOf(buf)}, nil
}

// Stat returns what statx(2) tells of the file at path (relative to the
// working directory), following symbolic links, as os.Stat does; the lookup
// runs in the engine or the kernel module with the caller's credentials.
func (c *Ctx) Stat(path string) (fs.FileInfo, error) {
	return c.stat(context.Background(), "stat", path, 0)
}

// Lstat is Stat of a symbolic link itself, as os.Lstat.
func (c *Ctx) Lstat(path string) (fs.FileInfo, error) {
	return c.stat(context.Background(), "lstat", path, statxNofollow)
}

func (c *Ctx) stat(ctx context.Context, opName, path string, flags uint32) (fs.FileInfo, error) {
	if len(path)+1 > maxPath {
		return nil, &Error{Op: opName, Path: path, Errno: syscall.ENAMETOOLONG}
	}
	for i := 0; i < len(path); i++ {
		if path[i] == 0 {
			return nil, errInvalid(opName, path, "path holds a NUL byte")
		}
	}
	cpath := cString(path)
	defer cFree(cpath)
	buf := cCalloc(statxSize)
	defer cFree(buf)
	// The path and the buffer are the library's until the completion: do
	// returns once it came.
	if _, _, err := c.do(ctx, opName, path, func(o *op) {
		o.req.setStatx(0, cpath, flags, statxDefaultMasks, buf, o.cookie)
	}); err != nil {
		return nil, err
	}
	return &fileStat{name: filepath.Base(path), sx: statxOf(buf)}, nil
}
