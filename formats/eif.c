/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eif.c: EIF header and sections (spec/eif.md 1-3): the streaming writer and
 * the forward-only reader. Hashing is pcr.c's; this file decides which
 * section feeds which register and checks the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "bytes.h"
#include "eif.h"
#include "fileio.h"

static const uint8_t eif_magic[4] = { '.', 'e', 'i', 'f' };

const char *
eif_section_name(unsigned type)
{
	switch (type) {
	case EIF_SECTION_KERNEL:
		return "kernel";
	case EIF_SECTION_CMDLINE:
		return "cmdline";
	case EIF_SECTION_RAMDISK:
		return "ramdisk";
	case EIF_SECTION_SIGNATURE:
		return "signature";
	case EIF_SECTION_METADATA:
		return "metadata";
	default:
		return "invalid";
	}
}

/* Header field offsets (spec/eif.md 2) */
#define H_MAGIC    0
#define H_VERSION  4
#define H_FLAGS    6
#define H_MEM      8
#define H_CPUS     16
#define H_RESERVED 24
#define H_NUM      26
#define H_OFFSETS  28
#define H_SIZES    284
#define H_UNUSED   540
#define H_CRC      544

void
eif_header_put(const struct eif_header *h, uint8_t out[EIF_HEADER_SIZE])
{
	unsigned i;

	memset(out, 0, EIF_HEADER_SIZE);
	memcpy(out + H_MAGIC, eif_magic, sizeof(eif_magic));
	be16_put(out + H_VERSION, h->version);
	be16_put(out + H_FLAGS, h->flags);
	be64_put(out + H_MEM, h->default_mem);
	be64_put(out + H_CPUS, h->default_cpus);
	be16_put(out + H_NUM, h->num_sections);
	for (i = 0; i < QT_MAX_SECTIONS; i++) {
		be64_put(out + H_OFFSETS + 8 * i, h->offsets[i]);
		be64_put(out + H_SIZES + 8 * i, h->sizes[i]);
	}
	be32_put(out + H_CRC, h->crc);
}

int
eif_header_parse(const char *name, const uint8_t buf[EIF_HEADER_SIZE], struct eif_header *ret,
    struct qt_err *err)
{
	struct eif_header h;
	unsigned i;

	memset(&h, 0, sizeof(h));
	if (memcmp(buf + H_MAGIC, eif_magic, sizeof(eif_magic)) != 0)
		return qt_err_set(err, EINVAL,
		    "%s: header: bad magic %02x %02x %02x %02x at offset 0 (expected '.eif')", name,
		    buf[0], buf[1], buf[2], buf[3]);
	h.version = be16_get(buf + H_VERSION);
	if (h.version < EIF_VERSION_MIN || h.version > EIF_VERSION)
		return qt_err_set(err, EINVAL,
		    "%s: header: unsupported version %u at offset %d (supported: 2 to 4)", name,
		    h.version, H_VERSION);
	h.flags = be16_get(buf + H_FLAGS);
	if ((h.flags & ~EIF_FLAG_ARM64) != 0)
		return qt_err_set(err, EINVAL,
		    "%s: header: reserved flag bits set (flags 0x%04x at offset %d)", name, h.flags,
		    H_FLAGS);
	h.default_mem = be64_get(buf + H_MEM);
	h.default_cpus = be64_get(buf + H_CPUS);
	if (be16_get(buf + H_RESERVED) != 0)
		return qt_err_set(err, EINVAL, "%s: header: nonzero reserved field at offset %d",
		    name, H_RESERVED);
	h.num_sections = be16_get(buf + H_NUM);
	if (h.num_sections == 0 || h.num_sections > QT_MAX_SECTIONS)
		return qt_err_set(err, EINVAL,
		    "%s: header: num_sections %u at offset %d is out of range (1 to %d)", name,
		    h.num_sections, H_NUM, QT_MAX_SECTIONS);
	for (i = 0; i < QT_MAX_SECTIONS; i++) {
		h.offsets[i] = be64_get(buf + H_OFFSETS + 8 * i);
		h.sizes[i] = be64_get(buf + H_SIZES + 8 * i);
		if (i >= h.num_sections && (h.offsets[i] != 0 || h.sizes[i] != 0))
			return qt_err_set(err, EINVAL,
			    "%s: header: offsets table entry %u (offset %u) is set but only %u "
			    "sections are declared",
			    name, i, h.offsets[i] != 0 ? H_OFFSETS + 8 * i : H_SIZES + 8 * i,
			    h.num_sections);
	}
	if (be32_get(buf + H_UNUSED) != 0)
		return qt_err_set(
		    err, EINVAL, "%s: header: nonzero unused field at offset %d", name, H_UNUSED);
	h.crc = be32_get(buf + H_CRC);
	*ret = h;
	return 0;
}

/* Section rules shared by writer and reader; counts[type] = sections seen so far. */
static const char *
section_refused(unsigned version, enum eif_section_type type, const unsigned counts[6])
{
	switch (type) {
	case EIF_SECTION_KERNEL:
		return counts[EIF_SECTION_KERNEL] ? "second kernel section" : NULL;
	case EIF_SECTION_CMDLINE:
		return counts[EIF_SECTION_CMDLINE] ? "second cmdline section" : NULL;
	case EIF_SECTION_RAMDISK:
		/* "all Ramdisk sections after the Kernel section" (spec/eif.md 3) */
		return counts[EIF_SECTION_KERNEL] ? NULL : "ramdisk before the kernel section";
	case EIF_SECTION_SIGNATURE:
		if (version < 3)
			return "signature section in a version 2 image";
		return counts[EIF_SECTION_SIGNATURE] ? "second signature section" : NULL;
	case EIF_SECTION_METADATA:
		if (version < 4)
			return "metadata section in an image older than version 4";
		return counts[EIF_SECTION_METADATA] ? "second metadata section" : NULL;
	default:
		return "invalid section type";
	}
}

static void
section_hdr_put(uint8_t out[EIF_SECTION_HDR_SIZE], unsigned type, uint64_t size)
{
	be16_put(out, (uint16_t)type);
	be16_put(out + 2, 0);
	be64_put(out + 4, size);
}

/* ---- writer ---------------------------------------------------------------- */

/* Write-behind granularity: the data written is pushed to disk every this many bytes. */
#define EIF_WRITE_BEHIND (32u << 20)

struct eif_writer {
	int fd; /* -1: measure only */
	char *name;
	struct eif_header hdr;
	unsigned counts[6];
	uint64_t pos;      /* end of everything written so far (file offset) */
	uint32_t body_crc; /* CRC of bytes [548, pos) of closed sections */
	bool in_section;
	bool failed;
	enum eif_section_type cur_type;
	enum pcr_role cur_role;
	uint64_t cur_off;  /* offset of the open section's header */
	uint64_t cur_size; /* data flushed so far */
	struct pcr_stream *pcr;
	uint8_t *buf; /* pending data of the open section: a buffer of pcr's ring, or NULL */
	size_t buf_cap, buf_len;
	uint64_t wb_off; /* write-behind: where the range not yet pushed to disk starts */
};

int
eif_writer_new(int fd, const char *name, const struct eif_write_opts *opts, struct eif_writer **ret,
    struct qt_err *err)
{
	struct eif_writer *w = NULL;
	int r = -1;

	if ((w = calloc(1, sizeof(*w))) == NULL || (w->name = strdup(name)) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	w->fd = fd;
	w->hdr.version = EIF_VERSION;
	w->hdr.default_mem = EIF_DEFAULT_MEM;
	w->hdr.default_cpus = EIF_DEFAULT_CPUS;
	if (opts != NULL) {
		if (opts->version != 0)
			w->hdr.version = opts->version;
		w->hdr.flags = opts->flags;
		if (opts->default_mem != 0)
			w->hdr.default_mem = opts->default_mem;
		if (opts->default_cpus != 0)
			w->hdr.default_cpus = opts->default_cpus;
	}
	if (w->hdr.version < EIF_VERSION_MIN || w->hdr.version > EIF_VERSION ||
	    (w->hdr.flags & ~EIF_FLAG_ARM64) != 0) {
		qt_err_set(err, EINVAL, "%s: cannot write version %u with flags 0x%04x", name,
		    w->hdr.version, w->hdr.flags);
		goto out;
	}
	if (pcr_stream_new(&w->pcr, err) < 0)
		goto out;
	if (fd < 0) /* measure only: no header is written, so no CRC is needed */
		pcr_stream_skip_crc(w->pcr);
	w->pos = EIF_HEADER_SIZE;
	w->wb_off = 0;
	*ret = w;
	w = NULL;
	r = 0;
out:
	eif_writer_free(w);
	return r;
}

static int
put_at(struct eif_writer *w, uint64_t off, const uint8_t *buf, size_t len, struct qt_err *err)
{
	if (w->fd < 0)
		return 0;
	if (fileio_write_full(w->fd, buf, len, (int64_t)off) < 0)
		return qt_err_set(err, errno, "%s: write error at offset %" PRIu64 ": %s", w->name,
		    off, strerror(errno));
	return 0;
}

/*
 * Hand the pending buffer to the hashers and write it. The ring keeps it
 * unchanged until the next pcr_stream_buf, so it is written after the
 * hand-off, while the hashers read it.
 */
static int
flush(struct eif_writer *w, struct qt_err *err)
{
	size_t n = w->buf_len;
	uint64_t end;

	if (n == 0)
		return 0;
	w->buf_len = 0;
	if (pcr_stream_submit(w->pcr, w->cur_role, n, err) < 0 ||
	    put_at(w, w->cur_off + EIF_SECTION_HDR_SIZE + w->cur_size, w->buf, n, err) < 0)
		return -1;
	w->buf = NULL;
	w->cur_size += n;
	/* write-behind: start writing out each EIF_WRITE_BEHIND bytes as they are complete */
	end = w->cur_off + EIF_SECTION_HDR_SIZE + w->cur_size;
	if (w->fd >= 0 && end - w->wb_off >= EIF_WRITE_BEHIND) {
		fileio_write_behind(w->fd, w->wb_off, end - w->wb_off);
		w->wb_off = end;
	}
	return 0;
}

static int
writer_state(struct eif_writer *w, bool want_section, struct qt_err *err)
{
	if (w->failed)
		return qt_err_set(err, EINVAL, "%s: writer used after an error", w->name);
	if (w->in_section != want_section)
		return qt_err_set(err, EINVAL, "%s: internal error: %s", w->name,
		    want_section ? "no section is open" : "a section is still open");
	return 0;
}

int
eif_writer_section_begin(struct eif_writer *w, enum eif_section_type type, struct qt_err *err)
{
	unsigned idx = w->hdr.num_sections;
	const char *why;
	uint32_t crc;

	if (writer_state(w, false, err) < 0)
		return -1;
	if (idx >= QT_MAX_SECTIONS)
		return qt_err_set(
		    err, EINVAL, "%s: more than %d sections", w->name, QT_MAX_SECTIONS);
	if ((why = section_refused(w->hdr.version, type, w->counts)) != NULL)
		return qt_err_set(err, EINVAL, "%s: section %u (%s): %s", w->name, idx,
		    eif_section_name(type), why);
	w->counts[type]++;
	w->in_section = true;
	w->cur_type = type;
	w->cur_off = w->pos;
	w->cur_size = 0;
	if (pcr_stream_crc_take(w->pcr, &crc, err) < 0) /* start this section's CRC */
		return -1;
	if (type == EIF_SECTION_KERNEL || type == EIF_SECTION_CMDLINE)
		w->cur_role = PCR_ROLE_BOOT;
	else if (type == EIF_SECTION_RAMDISK)
		w->cur_role = w->counts[EIF_SECTION_RAMDISK] == 1 ? PCR_ROLE_BOOT : PCR_ROLE_APP;
	else
		w->cur_role = PCR_ROLE_NONE;
	return 0;
}

int
eif_writer_write(struct eif_writer *w, const uint8_t *buf, size_t len, struct qt_err *err)
{
	if (writer_state(w, true, err) < 0)
		return -1;
	if (len > UINT64_MAX - w->cur_size - w->buf_len - w->pos) {
		w->failed = true;
		return qt_err_set(err, EFBIG, "%s: section too large", w->name);
	}
	while (len > 0) {
		if (w->buf == NULL && (w->buf = pcr_stream_buf(w->pcr, &w->buf_cap, err)) == NULL) {
			w->failed = true;
			return -1;
		}
		size_t n = w->buf_cap - w->buf_len < len ? w->buf_cap - w->buf_len : len;

		memcpy(w->buf + w->buf_len, buf, n);
		w->buf_len += n;
		if (w->buf_len == w->buf_cap && flush(w, err) < 0) {
			w->failed = true;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static int
sink_write(void *ctx, const uint8_t *buf, size_t len, struct qt_err *err)
{
	return eif_writer_write(ctx, buf, len, err);
}

/* Room in the pending buffer of pcr's ring: the producer fills it in place. */
static uint8_t *
sink_space(void *ctx, size_t *ret_cap, struct qt_err *err)
{
	struct eif_writer *w = ctx;

	if (writer_state(w, true, err) < 0)
		return NULL;
	if (w->buf == NULL && (w->buf = pcr_stream_buf(w->pcr, &w->buf_cap, err)) == NULL) {
		w->failed = true;
		return NULL;
	}
	*ret_cap = w->buf_cap - w->buf_len;
	return w->buf + w->buf_len;
}

static int
sink_commit(void *ctx, size_t n, struct qt_err *err)
{
	struct eif_writer *w = ctx;

	if (writer_state(w, true, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (w->buf == NULL || n > w->buf_cap - w->buf_len) {
		w->failed = true;
		return qt_err_set(err, EINVAL, "%s: internal error: commit past the room", w->name);
	}
	if (n > UINT64_MAX - w->cur_size - w->buf_len - w->pos) {
		w->failed = true;
		return qt_err_set(err, EFBIG, "%s: section too large", w->name);
	}
	w->buf_len += n;
	if (w->buf_len == w->buf_cap && flush(w, err) < 0) {
		w->failed = true;
		return -1;
	}
	return 0;
}

/*
 * Measuring only, the producer fills pcr's ring directly (space/commit: no
 * copy). Writing a file, it gets write() alone: a producer with a thread of
 * its own (the ramdisk writer) then reads its input while that thread
 * copies, hashes and writes the previous chunk.
 */
struct qt_sink
eif_writer_sink(struct eif_writer *w)
{
	struct qt_sink s = { .write = sink_write, .ctx = w };

	if (w->fd < 0) {
		s.space = sink_space;
		s.commit = sink_commit;
	}
	return s;
}

int
eif_writer_section_end(struct eif_writer *w, struct qt_err *err)
{
	uint8_t sh[EIF_SECTION_HDR_SIZE];
	unsigned idx = w->hdr.num_sections;
	uint32_t crc, data_crc;

	if (writer_state(w, true, err) < 0)
		return -1;
	if (flush(w, err) < 0 || pcr_stream_crc_take(w->pcr, &data_crc, err) < 0)
		goto fail;
	if (w->cur_type == EIF_SECTION_SIGNATURE && w->cur_size > QT_SIGNATURE_MAX) {
		qt_err_set(err, EINVAL,
		    "%s: section %u (signature): %" PRIu64 " bytes exceed the limit of %u", w->name,
		    idx, w->cur_size, QT_SIGNATURE_MAX);
		goto fail;
	}
	section_hdr_put(sh, w->cur_type, w->cur_size);
	if (put_at(w, w->cur_off, sh, sizeof(sh), err) < 0)
		goto fail;
	/* CRC of this section = CRC(header) combined with CRC(data), appended to the body. */
	crc = libdeflate_crc32(0, sh, sizeof(sh));
	crc = (uint32_t)crc32_combine(crc, data_crc, (z_off_t)w->cur_size);
	w->body_crc = (uint32_t)crc32_combine(
	    w->body_crc, crc, (z_off_t)(w->cur_size + EIF_SECTION_HDR_SIZE));
	w->hdr.offsets[idx] = w->cur_off;
	w->hdr.sizes[idx] = w->cur_size;
	w->hdr.num_sections++;
	w->pos = w->cur_off + EIF_SECTION_HDR_SIZE + w->cur_size;
	w->in_section = false;
	return 0;
fail:
	w->failed = true;
	return -1;
}

int
eif_writer_pcrs(struct eif_writer *w, struct pcr_set *ret, struct qt_err *err)
{
	if (w->failed)
		return qt_err_set(err, EINVAL, "%s: writer used after an error", w->name);
	if (w->in_section && flush(w, err) < 0) {
		w->failed = true;
		return -1;
	}
	return pcr_stream_final(w->pcr, ret, err);
}

int
eif_writer_finish(struct eif_writer *w, struct qt_err *err)
{
	uint8_t h[EIF_HEADER_SIZE];
	uint32_t crc;

	if (writer_state(w, false, err) < 0)
		return -1;
	if (w->counts[EIF_SECTION_KERNEL] == 0)
		return qt_err_set(err, EINVAL, "%s: no kernel section", w->name);
	if (w->counts[EIF_SECTION_CMDLINE] == 0)
		return qt_err_set(err, EINVAL, "%s: no cmdline section", w->name);
	if (w->counts[EIF_SECTION_RAMDISK] == 0)
		return qt_err_set(err, EINVAL, "%s: no ramdisk section", w->name);
	if (w->hdr.version >= 4 && w->counts[EIF_SECTION_METADATA] == 0)
		return qt_err_set(
		    err, EINVAL, "%s: no metadata section (required by version 4)", w->name);
	w->hdr.crc = 0;
	eif_header_put(&w->hdr, h);
	/* eif_crc32 = crc32(file[0:544] || file[548:EOF]) (spec/eif.md 2.2) */
	crc = libdeflate_crc32(0, h, EIF_CRC_OFFSET);
	crc = (uint32_t)crc32_combine(crc, w->body_crc, (z_off_t)(w->pos - EIF_HEADER_SIZE));
	w->hdr.crc = crc;
	be32_put(h + H_CRC, crc);
	if (put_at(w, 0, h, sizeof(h), err) < 0) {
		w->failed = true;
		return -1;
	}
	w->failed = true; /* finished: no more sections */
	return 0;
}

uint64_t
eif_writer_size(const struct eif_writer *w)
{
	return w->pos;
}

void
eif_writer_free(struct eif_writer *w)
{
	if (w == NULL)
		return;
	pcr_stream_free(w->pcr); /* owns w->buf */
	free(w->name);
	free(w);
}

/* ---- reader ---------------------------------------------------------------- */

struct reader {
	int fd;
	const char *name;
	uint64_t pos;    /* bytes consumed */
	bool size_known; /* regular file: its size bounds every section up front */
	uint64_t file_size;
	const struct qt_progress_cb *progress; /* NULL: none */
	uint64_t next;                         /* the next report at this pos */
	unsigned section, nsections;           /* for the report */
};

static void
read_progress(struct reader *r)
{
	struct qt_progress p = { r->pos, r->size_known ? r->file_size : 0, 0, 0, r->section,
		r->nsections };

	r->next = r->pos + QT_PROGRESS_STEP;
	r->progress->fn(r->progress->ctx, &p);
}

/* Read up to len bytes; returns the count (short only at end of file) or -1. */
static ssize_t
read_upto(struct reader *r, uint8_t *buf, size_t len, struct qt_err *err)
{
	size_t got;

	if (fileio_read_full(r->fd, buf, len, -1, &got) < 0)
		return qt_err_set(err, errno, "%s: read error at offset %" PRIu64 ": %s", r->name,
		    r->pos, strerror(errno));
	r->pos += got;
	if (r->progress != NULL && r->pos >= r->next)
		read_progress(r);
	return (ssize_t)got;
}

static int
cb_call_section(
    const struct eif_read_cb *cb, int which, const struct eif_section *s, struct qt_err *err)
{
	int (*f)(void *, const struct eif_section *, struct qt_err *);

	if (cb == NULL)
		return 0;
	f = which == 0 ? cb->section_begin : cb->section_end;
	return f != NULL ? f(cb->ctx, s, err) : 0;
}

/* Stream one section's data: CRC, PCRs, callbacks, and keep metadata/signature. */
static int
read_section_data(struct reader *r, const struct eif_read_cb *cb, struct eif_info *info,
    struct pcr_stream *ps, enum pcr_role role, const struct eif_section *s, struct qt_err *err)
{
	uint8_t *keep = NULL, *buf;
	uint64_t left = s->size;
	size_t want, cap, kept = 0;
	ssize_t n;

	if (s->type == EIF_SECTION_METADATA || s->type == EIF_SECTION_SIGNATURE) {
		/* sizes already bounded by QT_METADATA_MAX / QT_SIGNATURE_MAX */
		if ((keep = malloc((size_t)s->size + 1)) == NULL)
			return qt_err_set(err, ENOMEM, "%s: out of memory", r->name);
	}
	while (left > 0) {
		/* read straight into the hashers' ring: they hash while the next chunk is read */
		if ((buf = pcr_stream_buf(ps, &cap, err)) == NULL)
			goto fail;
		want = left < cap ? (size_t)left : cap;
		if ((n = read_upto(r, buf, want, err)) < 0)
			goto fail;
		if ((size_t)n < want) {
			qt_err_set(err, EINVAL,
			    "%s: section %u (%s) at offset %" PRIu64
			    ": truncated: data ends at offset "
			    "%" PRIu64 ", %" PRIu64 " bytes short",
			    r->name, s->index, eif_section_name(s->type), s->offset, r->pos,
			    left - (uint64_t)n);
			goto fail;
		}
		if (pcr_stream_submit(ps, role, want, err) < 0)
			goto fail;
		if (keep != NULL) {
			memcpy(keep + kept, buf, want);
			kept += want;
		}
		if (cb != NULL && cb->section_data != NULL &&
		    cb->section_data(cb->ctx, s, buf, want, err) < 0)
			goto fail;
		left -= want;
	}
	if (keep != NULL) {
		keep[kept] = '\0';
		if (s->type == EIF_SECTION_METADATA) {
			info->metadata = keep;
			info->metadata_len = kept;
		} else {
			info->signature = keep;
			info->signature_len = kept;
		}
	}
	return 0;
fail:
	free(keep);
	return -1;
}

static int
read_sections(struct reader *r, const struct eif_read_cb *cb, unsigned flags, struct eif_info *info,
    struct pcr_stream *ps, struct qt_err *err)
{
	const struct eif_header *h = &info->hdr;
	uint8_t sh[EIF_SECTION_HDR_SIZE];
	unsigned counts[6] = { 0 }, i;
	struct eif_section s;
	enum pcr_role role;

	for (i = 0;; i++) {
		uint64_t at = r->pos;
		unsigned type, sflags;
		const char *why;
		ssize_t n;

		if ((n = read_upto(r, sh, sizeof(sh), err)) < 0)
			return -1;
		if (n == 0) {
			if (i < h->num_sections)
				return qt_err_set(err, EINVAL,
				    "%s: truncated: the header declares %u sections, the file ends "
				    "after %u at offset %" PRIu64,
				    r->name, h->num_sections, i, at);
			return 0;
		}
		if (i >= h->num_sections)
			return qt_err_set(err, EINVAL,
			    "%s: trailing data at offset %" PRIu64
			    " after the %u sections the header declares",
			    r->name, at, h->num_sections);
		if ((size_t)n < sizeof(sh))
			return qt_err_set(err, EINVAL,
			    "%s: section %u at offset %" PRIu64
			    ": truncated section header (%zd of %d bytes)",
			    r->name, i, at, n, EIF_SECTION_HDR_SIZE);
		type = be16_get(sh);
		sflags = be16_get(sh + 2);
		s.index = i;
		s.offset = at;
		s.size = be64_get(sh + 4);
		if (type == EIF_SECTION_INVALID || type > EIF_SECTION_METADATA)
			return qt_err_set(err, EINVAL,
			    "%s: section %u at offset %" PRIu64 ": invalid section type %u",
			    r->name, i, at, type);
		s.type = (enum eif_section_type)type;
		if (sflags != 0)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (%s) at offset %" PRIu64 ": nonzero flags 0x%04x",
			    r->name, i, eif_section_name(type), at + 2, sflags);
		if (h->offsets[i] != at)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (%s) at offset %" PRIu64
			    ": the header's offsets table says %" PRIu64,
			    r->name, i, eif_section_name(type), at, h->offsets[i]);
		if (h->sizes[i] != s.size)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (%s) at offset %" PRIu64 ": size %" PRIu64
			    " but the header's sizes table says %" PRIu64,
			    r->name, i, eif_section_name(type), at, s.size, h->sizes[i]);
		if ((why = section_refused(h->version, s.type, counts)) != NULL)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (%s) at offset %" PRIu64 ": %s", r->name, i,
			    eif_section_name(type), at, why);
		if (type == EIF_SECTION_SIGNATURE && s.size > QT_SIGNATURE_MAX)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (signature) at offset %" PRIu64 ": size %" PRIu64
			    " exceeds the limit of %u bytes",
			    r->name, i, at, s.size, QT_SIGNATURE_MAX);
		if (type == EIF_SECTION_METADATA && s.size > QT_METADATA_MAX)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (metadata) at offset %" PRIu64 ": size %" PRIu64
			    " exceeds the limit of %u bytes",
			    r->name, i, at, s.size, QT_METADATA_MAX);
		if (r->size_known && s.size > r->file_size - r->pos)
			return qt_err_set(err, EINVAL,
			    "%s: section %u (%s) at offset %" PRIu64 ": size %" PRIu64
			    " runs past the end of the file (%" PRIu64 " bytes left)",
			    r->name, i, eif_section_name(type), at, s.size, r->file_size - r->pos);
		counts[type]++;
		if (type == EIF_SECTION_KERNEL || type == EIF_SECTION_CMDLINE)
			role = PCR_ROLE_BOOT;
		else if (type == EIF_SECTION_RAMDISK)
			role = counts[type] == 1 ? PCR_ROLE_BOOT : PCR_ROLE_APP;
		else
			role = PCR_ROLE_NONE;
		if (flags & EIF_READ_NO_PCR)
			role = PCR_ROLE_NONE;
		if (pcr_stream_update(ps, PCR_ROLE_NONE, sh, sizeof(sh), err) < 0)
			return -1;
		info->sections[i] = s;
		info->nsections = i + 1;
		r->section = i + 1;
		if (cb_call_section(cb, 0, &s, err) < 0 ||
		    read_section_data(r, cb, info, ps, role, &s, err) < 0 ||
		    cb_call_section(cb, 1, &s, err) < 0)
			return -1;
		if (i + 1 == h->num_sections && r->size_known && r->pos == r->file_size)
			break; /* skip the extra read when the size is known */
	}
	return 0;
}

int
eif_read(int fd, const char *name, const struct eif_read_cb *cb, unsigned flags,
    struct eif_info **ret, struct qt_err *err)
{
	struct reader r = { .fd = fd, .name = name, .next = QT_PROGRESS_STEP };
	struct eif_info *info = NULL;
	struct pcr_stream *ps = NULL;
	uint8_t hb[EIF_HEADER_SIZE];
	uint32_t crc;
	struct stat st, st2;
	unsigned i;
	bool have[6] = { false };
	ssize_t n;
	int rc = -1;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		r.size_known = true;
		r.file_size = (uint64_t)st.st_size;
		/* the file position may not be 0 (e.g. stdin redirected after a read) */
		off_t cur = lseek(fd, 0, SEEK_CUR);
		if (cur > 0)
			r.file_size -= (uint64_t)cur < r.file_size ? (uint64_t)cur : r.file_size;
	} else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		qt_err_set(err, EISDIR, "%s: is a directory", name);
		goto out;
	}
	if ((info = calloc(1, sizeof(*info))) == NULL) {
		qt_err_set(err, ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (pcr_stream_new(&ps, err) < 0)
		goto out;
	if ((n = read_upto(&r, hb, sizeof(hb), err)) < 0)
		goto out;
	if ((size_t)n < sizeof(hb)) {
		qt_err_set(err, EINVAL,
		    "%s: header: truncated at offset %zd (the header is %d bytes)", name, n,
		    EIF_HEADER_SIZE);
		goto out;
	}
	if (eif_header_parse(name, hb, &info->hdr, err) < 0)
		goto out;
	if (cb != NULL && cb->progress.fn != NULL) {
		r.progress = &cb->progress;
		r.nsections = info->hdr.num_sections;
	}
	if (cb != NULL && cb->header != NULL && cb->header(cb->ctx, &info->hdr, err) < 0)
		goto out;
	/* eif_crc32 covers the header up to the CRC field, then everything after it */
	if (pcr_stream_update(ps, PCR_ROLE_NONE, hb, EIF_CRC_OFFSET, err) < 0 ||
	    read_sections(&r, cb, flags, info, ps, err) < 0 ||
	    pcr_stream_crc_take(ps, &crc, err) < 0)
		goto out;
	for (i = 0; i < info->nsections; i++)
		have[info->sections[i].type] = true;
	if (!have[EIF_SECTION_KERNEL] || !have[EIF_SECTION_CMDLINE] || !have[EIF_SECTION_RAMDISK]) {
		qt_err_set(err, EINVAL, "%s: no %s section", name,
		    !have[EIF_SECTION_KERNEL]    ? "kernel"
		    : !have[EIF_SECTION_CMDLINE] ? "cmdline"
		                                 : "ramdisk");
		goto out;
	}
	if (info->hdr.version >= 4 && !have[EIF_SECTION_METADATA]) {
		qt_err_set(err, EINVAL, "%s: no metadata section (required by version %u)", name,
		    info->hdr.version);
		goto out;
	}
	/*
	 * A file rewritten, grown or shrunk while we read it measures bytes that
	 * never existed together: refuse rather than print a PCR for them.
	 */
	if (r.size_known && fstat(fd, &st2) == 0 &&
	    (st2.st_size != st.st_size || st2.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	        st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec || st2.st_ino != st.st_ino)) {
		qt_err_set(err, EAGAIN,
		    "%s: the file changed while it was read (size %lld, now %lld bytes): "
		    "measure a finished image",
		    name, (long long)st.st_size, (long long)st2.st_size);
		goto out;
	}
	if (!(flags & EIF_READ_NO_PCR) && pcr_stream_final(ps, &info->pcrs, err) < 0)
		goto out;
	info->crc_computed = crc;
	info->crc_ok = crc == info->hdr.crc;
	info->file_size = r.pos;
	if (r.progress != NULL)
		read_progress(&r); /* the end: all of it */
	*ret = info;
	info = NULL;
	rc = 0;
out:
	pcr_stream_free(ps);
	eif_info_free(info);
	return rc;
}

int
eif_read_path(const char *path, const struct eif_read_cb *cb, unsigned flags, struct eif_info **ret,
    struct qt_err *err)
{
	const char *name = path;
	int fd, r;

	if (strcmp(path, "-") == 0) {
		name = "standard input";
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return qt_err_set(err, errno, "%s: cannot open: %s", path, strerror(errno));
	}
	r = eif_read(fd, name, cb, flags, ret, err);
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

void
eif_info_free(struct eif_info *info)
{
	if (info == NULL)
		return;
	free(info->metadata);
	free(info->signature);
	free(info);
}

int
eif_crc_check(const char *name, const struct eif_info *info, struct qt_err *err)
{
	if (info->crc_ok)
		return 0;
	return qt_err_set(err, EINVAL,
	    "%s: CRC mismatch: the header says %08x, the contents give %08x", name, info->hdr.crc,
	    info->crc_computed);
}
