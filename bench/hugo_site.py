"""The benchmark's anchor: a minimal Hugo site with Lindung's place pages.

`write(folder, data)` writes a Hugo project whose one data file
(data/wilayah.json, the figures the bench computed from its synthetic data)
becomes the same page set as Lindung's place pages, through a content
adapter (content/_content.gotmpl): the home page with the ten kecamatan of
highest coverage, wilayah/ with every kabupaten/kota and kecamatan, one page
per kabupaten/kota with its kecamatan table, one page per kecamatan with its
kelurahan/desa table. Each has the headline figures and the 12-month series
(a small SVG line and its table), numbers formatted the Indonesian way by
Hugo (language `id`), and the same `data-pagefind-body` / `-ignore` marks,
so Pagefind indexes the same regions. No CSS, JavaScript or share image:
Lindung copies those as static files, which costs it next to nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

CONFIG = """\
baseURL = "https://lindung.example.org/"
languageCode = "id"
defaultContentLanguage = "id"
title = "Lindung"
disableKinds = ["taxonomy", "term", "rss"]
enableRobotsTXT = true
[outputs]
home = ["html"]
section = ["html"]
page = ["html"]
"""

ADAPTER = """\
{{ $.AddPage (dict "path" "wilayah" "kind" "section" "title" "Wilayah" "layout" "wilayah") }}
{{ range site.Data.wilayah.kabupaten }}
  {{ $kab := . }}
  {{ $.AddPage (dict "path" (printf "wilayah/%s" .slug) "kind" "section" "title" .nama "layout" "kabupaten"
       "params" (dict "place" . "description" (printf "Cakupan perlindungan pekerja rentan di %s." .nama))) }}
  {{ range .kecamatan }}
    {{ $.AddPage (dict "path" (printf "wilayah/%s/%s" $kab.slug .slug) "kind" "page"
         "title" (printf "Kecamatan %s, %s" .nama $kab.nama) "layout" "kecamatan"
         "params" (dict "place" . "kabupaten" (dict "nama" $kab.nama "url" $kab.url)
                        "description" (printf "Cakupan perlindungan pekerja rentan di Kecamatan %s, %s, per kelurahan/desa." .nama $kab.nama))) }}
  {{ end }}
{{ end }}
"""

BASEOF = """\
<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<meta name="description" content="{{ with .Params.description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:type" content="website">
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:locale" content="id_ID">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<a class="skip" href="#isi">Langsung ke isi</a>
<header class="site-header"><div class="wrap">
<a class="brand" href="/">{{ site.Title }}</a>
<form class="cari-kepala" role="search" action="/cari/" method="get"><label for="cari-kepala" class="visually-hidden">Cari</label><input id="cari-kepala" name="q" type="search"><button type="submit">Cari</button></form>
<nav aria-label="Menu utama"><ul>
{{ range slice (slice "/" "Beranda") (slice "/program/" "Program") (slice "/peringkat/" "Peringkat") (slice "/wilayah/" "Wilayah") (slice "/donatur/" "Donatur") (slice "/data/" "Data") (slice "/status/" "Status") }}
<li><a href="{{ index . 0 }}"{{ if eq $.RelPermalink (index . 0) }} aria-current="page"{{ end }}>{{ index . 1 }}</a></li>
{{ end }}
</ul></nav>
</div></header>
<main id="isi" class="wrap" data-pagefind-body>
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap">
<p>Data per {{ time.Format "2 January 2006" site.Data.wilayah.as_of }}. Angka dari sheet tiap kantor kecamatan. Tidak ada nama atau NIK pekerja yang diterbitkan.</p>
<p>Daftar wilayah: Kemendagri lewat idn-area-data, lisensi <a href="https://opendatacommons.org/licenses/odbl/1-0/">ODbL 1.0</a>.</p>
</div></footer>
</body>
</html>
"""

HOME = """\
{{ define "main" }}
{{ $all := slice }}
{{ range site.Data.wilayah.kabupaten }}{{ $all = $all | append .kecamatan }}{{ end }}
<h1>Perlindungan pekerja rentan</h1>
<p class="lead">Berapa pekerja informal yang sudah terlindungi BPJS Ketenagakerjaan. Data per {{ time.Format "2 January 2006" site.Data.wilayah.as_of }}.</p>
{{ partial "headline.html" site.Data.wilayah.provinsi }}
{{ partial "seri.html" (dict "place" site.Data.wilayah.provinsi "where" "semua kecamatan") }}
<h2>Kecamatan dengan cakupan tertinggi</h2>
{{ partial "leaderboard.html" (dict "rows" (first 10 (sort $all "rentan.persen" "desc")) "caption" "10 kecamatan dengan cakupan tertinggi" "level" "Kecamatan" "parent" true "rt_rw" false "index" false) }}
{{ end }}
"""

WILAYAH = """\
{{ define "main" }}
<h1>Wilayah</h1>
{{ range site.Data.wilayah.kabupaten }}
<section>
<h2><a href="{{ .url }}">{{ .nama }}</a> <span class="muted kecil">{{ partial "persen.html" .rentan.persen }}</span></h2>
<ul class="daftar-kolom" data-pagefind-ignore>
{{ range .kecamatan }}<li><a href="{{ .url }}">{{ .nama }}</a> <span class="muted">{{ partial "persen.html" .rentan.persen }}</span>{{ partial "bar.html" .rentan.persen }}</li>
{{ end }}
</ul>
</section>
{{ end }}
{{ end }}
"""

KABUPATEN = """\
{{ define "main" }}
{{ $p := .Params.place }}
<nav class="remah" aria-label="Lokasi"><a href="/wilayah/">Wilayah</a> › {{ $p.nama }}</nav>
<h1>{{ $p.nama }}</h1>
{{ partial "headline.html" $p }}
{{ partial "seri.html" (dict "place" $p "where" $p.nama) }}
<h2>Kecamatan</h2>
{{ partial "leaderboard.html" (dict "rows" (sort $p.kecamatan "rentan.persen" "desc") "caption" (printf "Peringkat kecamatan di %s" $p.nama) "level" "Kecamatan" "parent" false "rt_rw" true "index" false) }}
{{ end }}
"""

KECAMATAN = """\
{{ define "main" }}
{{ $p := .Params.place }}
<nav class="remah" aria-label="Lokasi"><a href="/wilayah/">Wilayah</a> › <a href="{{ .Params.kabupaten.url }}">{{ .Params.kabupaten.nama }}</a> › {{ $p.nama }}</nav>
<h1>Kecamatan {{ $p.nama }}</h1>
<p class="lead">{{ .Params.kabupaten.nama }}. Data per {{ time.Format "2 January 2006" site.Data.wilayah.as_of }}.</p>
{{ partial "headline.html" $p }}
{{ partial "seri.html" (dict "place" $p "where" (printf "Kecamatan %s" $p.nama)) }}
<h2>Kelurahan/desa</h2>
{{ partial "leaderboard.html" (dict "rows" (sort $p.kelurahan "rentan.persen" "desc") "caption" (printf "Cakupan per kelurahan/desa di Kecamatan %s" $p.nama) "level" "Kelurahan/desa" "parent" false "rt_rw" true "index" true) }}
{{ end }}
"""

LEADERBOARD = """\
<p class="tabel-judul" id="peringkat-judul">{{ .caption }}</p>
<div class="table-wrap" role="region" aria-labelledby="peringkat-judul" tabindex="0"{{ if not .index }} data-pagefind-ignore{{ end }}>
<table class="peringkat" aria-labelledby="peringkat-judul" data-sortable>
<thead><tr>
<th scope="col" class="num" data-sort-type="number" aria-sort="ascending"><abbr title="Peringkat">#</abbr></th>
<th scope="col" class="nama" data-sort-type="text">{{ .level }}</th>
<th scope="col" class="num" data-sort-type="number">Cakupan</th>
<th scope="col" class="num" data-sort-type="number">Pekerja rentan terlindungi</th>
<th scope="col" class="num" data-sort-type="number">Perubahan 30 hari</th>
<th scope="col" class="num" data-sort-type="number">Target pekerja rentan</th>
{{ if .rt_rw }}<th scope="col" class="num" data-sort-type="number">Pengurus RT/RW terlindungi</th>{{ end }}
</tr></thead>
<tbody>
{{ $opts := . }}
{{ range $i, $p := .rows }}{{ $c := $p.rentan }}
<tr>
<td class="num" data-sort="{{ add $i 1 }}">{{ add $i 1 }}</td>
<th scope="row" class="nama" data-sort="{{ $p.nama }}">{{ with $p.url }}<a href="{{ . }}">{{ $p.nama }}</a>{{ else }}{{ $p.nama }}{{ end }}{{ if $opts.parent }} <span class="induk">{{ $p.induk }}</span>{{ end }}</th>
<td class="num cakupan" data-sort="{{ $c.persen }}">{{ partial "persen.html" $c.persen }}{{ partial "bar.html" $c.persen }}</td>
<td class="num" data-sort="{{ $c.aktif }}">{{ lang.FormatNumber 0 $c.aktif }}</td>
<td class="num" data-sort="{{ $c.perubahan }}">{{ partial "perubahan.html" $c.perubahan }}</td>
<td class="num" data-sort="{{ $c.target }}">{{ if $c.target }}{{ lang.FormatNumber 0 $c.target }}{{ else }}–{{ end }}</td>
{{ if $opts.rt_rw }}<td class="num" data-sort="{{ $p.rt_rw.aktif }}">{{ lang.FormatNumber 0 $p.rt_rw.aktif }}{{ if $p.rt_rw.target }} <span class="muted">dari {{ lang.FormatNumber 0 $p.rt_rw.target }}</span>{{ end }}</td>{{ end }}
</tr>
{{ end }}
</tbody>
</table>
</div>
"""

HEADLINE = """\
<dl class="angka-utama">
<div><dt>Pekerja rentan terlindungi</dt><dd>{{ lang.FormatNumber 0 .rentan.aktif }}</dd></div>
<div><dt>Cakupan</dt><dd>{{ partial "persen.html" .rentan.persen }}</dd>{{ if .rentan.target }}<dd class="kecil">dari target {{ lang.FormatNumber 0 .rentan.target }}{{ partial "bar.html" .rentan.persen }}</dd>{{ end }}</div>
<div><dt>Perubahan 30 hari</dt><dd>{{ partial "perubahan.html" .rentan.perubahan }}</dd></div>
<div><dt>Pengurus RT/RW terlindungi</dt><dd>{{ lang.FormatNumber 0 .rt_rw.aktif }}</dd>{{ if .rt_rw.target }}<dd class="kecil">dari {{ lang.FormatNumber 0 .rt_rw.target }} ({{ partial "persen.html" .rt_rw.persen }})</dd>{{ end }}</div>
</dl>
"""

SERI = """\
{{ $seri := .place.seri }}{{ with $seri }}
{{ $max := 1 }}{{ range $seri }}{{ $max = math.Max $max (index . 1) }}{{ end }}
{{ $points := slice }}{{ range $i, $s := $seri }}{{ $points = $points | append (printf "%.1f,%.1f" (add 40 (mul $i 50.0)) (sub 170 (div (mul (index $s 1) 150.0) $max))) }}{{ end }}
<figure class="grafik">
<figcaption>Pekerja rentan terlindungi di {{ $.where }}, 12 bulan terakhir</figcaption>
<svg viewBox="0 0 600 200" role="img" focusable="false"><polyline class="garis" points="{{ delimit $points " " }}"/></svg>
<details><summary>Lihat angka per bulan</summary>
<table class="kecil-tabel"><thead><tr><th scope="col">Tanggal</th> <th scope="col" class="num">Terlindungi</th></tr></thead><tbody>
{{ range $seri }}<tr><th scope="row">{{ time.Format "2 January 2006" (index . 0) }}</th> <td class="num">{{ lang.FormatNumber 0 (index . 1) }}</td></tr>
{{ end }}</tbody></table>
</details>
</figure>
{{ end }}
"""

PERSEN = """{{ if lt . 0.0 }}<span class="muted">target belum diisi</span>{{ else }}{{ lang.FormatNumber 2 . }}%{{ end }}"""

BAR = """{{ if ge . 0.0 }}<svg class="bar{{ if gt . 100.0 }} bar-lebih{{ end }}" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="bar-latar" width="100" height="8"/><rect class="bar-isi" width="{{ math.Min . 100.0 }}" height="8"/></svg>{{ end }}"""

PERUBAHAN = """{{ if gt . 0 }}<span class="naik" title="naik">▲&#8239;{{ lang.FormatNumber 0 . }}</span>{{ else if lt . 0 }}<span class="turun" title="turun">▼&#8239;{{ lang.FormatNumber 0 (mul -1 .) }}</span>{{ else }}<span class="tetap" title="tetap">=&#8239;0</span>{{ end }}"""

FILES = {
    "hugo.toml": CONFIG,
    "content/_content.gotmpl": ADAPTER,
    "layouts/baseof.html": BASEOF,
    "layouts/home.html": HOME,
    "layouts/wilayah.html": WILAYAH,
    "layouts/kabupaten.html": KABUPATEN,
    "layouts/kecamatan.html": KECAMATAN,
    "layouts/_partials/leaderboard.html": LEADERBOARD,
    "layouts/_partials/headline.html": HEADLINE,
    "layouts/_partials/seri.html": SERI,
    "layouts/_partials/persen.html": PERSEN,
    "layouts/_partials/bar.html": BAR,
    "layouts/_partials/perubahan.html": PERUBAHAN,
}


def write(folder: Path, data: dict) -> None:
    """The Hugo project in `folder`, with `data` as data/wilayah.json."""
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "wilayah.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
