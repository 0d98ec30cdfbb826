{
  "targets": [
    {
      "target_name": "postfach_native",
      "sources": ["native/body-copy.c"],
      "include_dirs": [
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3')\")"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
