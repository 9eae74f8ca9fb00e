<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>traybeat::AccessGuard</name>
    <message>
        <source>users and access live in the database %1; an auth file (%2) cannot be used with it</source>
        <translation>用户和访问权限保存在数据库 %1 中；不能同时使用认证文件（%2）</translation>
    </message>
    <message>
        <source>cannot LISTEN on %1: %2</source>
        <translation>无法在 %1 上执行 LISTEN：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::ActionBar</name>
    <message>
        <source>Opens a web page</source>
        <translation>打开网页</translation>
    </message>
    <message>
        <source>Copies a text to the clipboard</source>
        <translation>将文本复制到剪贴板</translation>
    </message>
    <message>
        <source>Sends a web request</source>
        <translation>发送网络请求</translation>
    </message>
    <message>
        <source>“%1” is not available on the desktop: it is an Android broadcast.</source>
        <translation>“%1”在桌面上不可用：它是 Android 广播。</translation>
    </message>
    <message>
        <source>Not available on the desktop</source>
        <translation>在桌面上不可用</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
</context>
<context>
    <name>traybeat::ActionRunner</name>
    <message>
        <source>Not an HTTP action</source>
        <translation>不是 HTTP 操作</translation>
    </message>
    <message>
        <source>Only http and https addresses are requested</source>
        <translation>只会请求 http 和 https 地址</translation>
    </message>
    <message>
        <source>Too many actions are running; try again in a moment</source>
        <translation>正在执行的操作过多，请稍后再试</translation>
    </message>
    <message>
        <source>No answer within %1 s</source>
        <translation>%1 秒内没有应答</translation>
    </message>
    <message>
        <source>Refused a redirect to an address that is not http or https</source>
        <translation>已拒绝重定向到非 http 或 https 的地址</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>HTTP error %1</source>
        <translation>HTTP 错误 %1</translation>
    </message>
    <message>
        <source>HTTP error %1 %2</source>
        <translation>HTTP 错误 %1 %2</translation>
    </message>
</context>
<context>
    <name>traybeat::AttachmentView</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open the attachment</source>
        <translation>打开附件</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>traybeat::AuthStore</name>
    <message>
        <source>cannot open auth file %1: %2</source>
        <translation>无法打开认证文件 %1：%2</translation>
    </message>
    <message>
        <source>cannot use auth file %1: %2</source>
        <translation>无法使用认证文件 %1：%2</translation>
    </message>
    <message>
        <source>no user &quot;%1&quot;</source>
        <translation>没有用户“%1”</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid user name (letters, digits, . _ @ -, at most 64)</source>
        <translation>“%1”不是有效的用户名（字母、数字、. _ @ -，最多 64 个）</translation>
    </message>
    <message>
        <source>user &quot;%1&quot; exists already</source>
        <translation>用户“%1”已存在</translation>
    </message>
    <message>
        <source>cannot hash the password</source>
        <translation>无法计算密码的哈希</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a topic pattern (letters, digits, _ - and *, at most 64)</source>
        <translation>“%1”不是主题模式（字母、数字、_ - 和 *，最多 64 个）</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has no grant on &quot;%2&quot;</source>
        <translation>“%1”在“%2”上没有授权</translation>
    </message>
    <message>
        <source>user &quot;%1&quot; has no token &quot;%2&quot;</source>
        <translation>用户“%1”没有令牌“%2”</translation>
    </message>
    <message>
        <source>cannot use database %1 for users and access: %2</source>
        <translation>无法将数据库 %1 用于用户和访问权限：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::Autostart</name>
    <message>
        <source>cannot remove %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::CommandLine</name>
    <message>
        <source>Language of the texts, e.g. zh_CN or en (default: the system&apos;s).</source>
        <translation>界面文字的语言，例如 zh_CN 或 en（默认：跟随系统）。</translation>
    </message>
    <message>
        <source>%1, read from the first line of FILE.</source>
        <translation>%1，从 FILE 的第一行读取。</translation>
    </message>
    <message>
        <source>%1. Visible to other users of this machine (ps, /proc): prefer --token-file or the environment variable TRAYBEAT_TOKEN.</source>
        <translation>%1。本机其他用户可以看到它（ps、/proc）：建议改用 --token-file 或环境变量 TRAYBEAT_TOKEN。</translation>
    </message>
    <message>
        <source>--token and --token-file: give one of them</source>
        <translation>--token 和 --token-file：只能指定其中一个</translation>
    </message>
    <message>
        <source>--token-file: cannot read %1: %2</source>
        <translation>--token-file：无法读取 %1：%2</translation>
    </message>
    <message>
        <source>--token-file: %1 holds no token on its first line</source>
        <translation>--token-file：%1 的第一行没有令牌</translation>
    </message>
    <message>
        <source>Access token, sent as a header (never logged)</source>
        <translation>访问令牌，通过请求头发送（绝不写入日志）</translation>
    </message>
    <message>
        <source>Push server base URL (http, https, ws or wss).</source>
        <translation>推送服务器的基础 URL（http、https、ws 或 wss）。</translation>
    </message>
    <message>
        <source>Dialect: ntfy (default), gotify (needs --token) or text.</source>
        <translation>协议：ntfy（默认）、gotify（需要 --token）或 text。</translation>
    </message>
    <message>
        <source>Topic to subscribe to (repeatable, or a,b).</source>
        <translation>要订阅的主题（可重复指定，或写成 a,b）。</translation>
    </message>
    <message>
        <source>ping (default), passive, or text:PAYLOAD (default for --protocol text).</source>
        <translation>ping（默认）、passive 或 text:PAYLOAD（--protocol text 时的默认值）。</translation>
    </message>
    <message>
        <source>Idle time before a heartbeat (25s; passive: 55s).</source>
        <translation>空闲多久后发送心跳（25s；passive 模式：55s）。</translation>
    </message>
    <message>
        <source>Wait for its answer (10s; passive: 20s).</source>
        <translation>等待心跳应答的时间（10s；passive 模式：20s）。</translation>
    </message>
    <message>
        <source>Limit per connection attempt (10s).</source>
        <translation>每次连接尝试的时限（10s）。</translation>
    </message>
    <message>
        <source>Shortest reconnect delay (1s).</source>
        <translation>最短重新连接间隔（1s）。</translation>
    </message>
    <message>
        <source>Longest reconnect delay (60s).</source>
        <translation>最长重新连接间隔（60s）。</translation>
    </message>
    <message>
        <source>Extra trusted CA certificates (PEM).</source>
        <translation>额外信任的 CA 证书（PEM 格式）。</translation>
    </message>
    <message>
        <source>Accept any TLS certificate (unsafe).</source>
        <translation>接受任何 TLS 证书（不安全）。</translation>
    </message>
    <message>
        <source>Subscription name (default: host/topics).</source>
        <translation>订阅名称（默认：主机/主题）。</translation>
    </message>
    <message>
        <source>--server is required (e.g. --server http://127.0.0.1:8080)</source>
        <translation>必须指定 --server（例如 --server http://127.0.0.1:8080）</translation>
    </message>
    <message>
        <source>--server: &quot;%1&quot; is not a URL (e.g. http://127.0.0.1:8080)</source>
        <translation>--server：“%1”不是有效的 URL（例如 http://127.0.0.1:8080）</translation>
    </message>
    <message>
        <source>--heartbeat: &quot;%1&quot; is not a heartbeat mode (use ping, passive or text:PAYLOAD)</source>
        <translation>--heartbeat：“%1”不是有效的心跳模式（请使用 ping、passive 或 text:PAYLOAD）</translation>
    </message>
    <message>
        <source>--heartbeat passive: interval + timeout is %1, but ntfy servers send a keepalive only every %2, so every quiet link would be dropped; make the sum longer (the passive default is %3 + %4)</source>
        <translation>--heartbeat passive：间隔 + 超时为 %1，但 ntfy 服务器每 %2 才发送一次保活消息，所有安静的连接都会被断开；请加长两者之和（passive 模式的默认值为 %3 + %4）</translation>
    </message>
    <message>
        <source>Subscribe and print each event as one JSON line on stdout.</source>
        <translation>订阅并将每个事件作为一行 JSON 输出到标准输出。</translation>
    </message>
    <message>
        <source>Folder for the notification store (default: app data).</source>
        <translation>通知存储所在的文件夹（默认：应用数据目录）。</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot;</source>
        <translation>多余的参数“%1”</translation>
    </message>
    <message>
        <source>--state-dir: %1</source>
        <translation>--state-dir：%1</translation>
    </message>
    <message>
        <source>state folder: %1</source>
        <translation>状态文件夹：%1</translation>
    </message>
    <message>
        <source>Publishes one message to a topic on a traybeat or ntfy server.</source>
        <translation>向 traybeat 或 ntfy 服务器上的某个主题发布一条消息。</translation>
    </message>
    <message>
        <source>Server URL (default http://127.0.0.1:8080).</source>
        <translation>服务器 URL（默认 http://127.0.0.1:8080）。</translation>
    </message>
    <message>
        <source>Message title.</source>
        <translation>消息标题。</translation>
    </message>
    <message>
        <source>1-5 or min, low, default, high, urgent.</source>
        <translation>1-5，或 min、low、default、high、urgent。</translation>
    </message>
    <message>
        <source>URL opened when the notification is clicked.</source>
        <translation>点击通知时打开的 URL。</translation>
    </message>
    <message>
        <source>Comma-separated tags.</source>
        <translation>以逗号分隔的标签。</translation>
    </message>
    <message>
        <source>Bearer token for the server</source>
        <translation>服务器的 Bearer 令牌</translation>
    </message>
    <message>
        <source>Topic to publish to.</source>
        <translation>要发布到的主题。</translation>
    </message>
    <message>
        <source>Message body.</source>
        <translation>消息正文。</translation>
    </message>
    <message numerus="yes">
        <source>expected TOPIC and MESSAGE (got %n argument(s))</source>
        <translation>
            <numerusform>需要 TOPIC 和 MESSAGE 两个参数（实际给出 %n 个）</numerusform>
        </translation>
    </message>
    <message>
        <source>invalid topic &quot;%1&quot;: use 1-64 characters of A-Z, a-z, 0-9, _ and -</source>
        <translation>无效的主题“%1”：只能使用 1-64 个 A-Z、a-z、0-9、_ 和 - 字符</translation>
    </message>
    <message>
        <source>--server: &quot;%1&quot; is not an http(s) URL</source>
        <translation>--server：“%1”不是 http(s) URL</translation>
    </message>
    <message>
        <source>--priority: &quot;%1&quot; is not 1-5 or min, low, default, high, urgent</source>
        <translation>--priority：“%1”不是 1-5，也不是 min、low、default、high、urgent 之一</translation>
    </message>
    <message>
        <source>--click: &quot;%1&quot; is not a URL</source>
        <translation>--click：“%1”不是有效的 URL</translation>
    </message>
    <message>
        <source>Address and port to listen on: ADDR:PORT, :PORT (loopback) or 0.0.0.0:PORT (all interfaces); port 0 picks a free one. Default 127.0.0.1:8080.</source>
        <translation>监听的地址和端口：ADDR:PORT、:PORT（本机回环）或 0.0.0.0:PORT（所有网络接口）；端口 0 表示自动选择空闲端口。默认 127.0.0.1:8080。</translation>
    </message>
    <message>
        <source>Require &apos;Authorization: Bearer TOKEN&apos; on every request</source>
        <translation>要求每个请求都带有“Authorization: Bearer TOKEN”</translation>
    </message>
    <message>
        <source>Interval of keepalive events to subscribers (default 45s).</source>
        <translation>向订阅者发送保活事件的间隔（默认 45s）。</translation>
    </message>
    <message>
        <source>How long messages are kept for catch-up (default 12h).</source>
        <translation>消息保留多久以供补收（默认 12h）。</translation>
    </message>
    <message>
        <source>Largest message body in bytes (default 4096).</source>
        <translation>消息正文的最大字节数（默认 4096）。</translation>
    </message>
    <message>
        <source>A request head must arrive within DUR of its first byte, a body may pause at most DUR, a client must take our answers within DUR (default 10s).</source>
        <translation>请求头须在首字节到达后 DUR 内收齐，请求体最多可停顿 DUR，客户端须在 DUR 内接收我们的应答（默认 10s）。</translation>
    </message>
    <message>
        <source>An idle keep-alive connection is closed after DUR (default 60s).</source>
        <translation>空闲的 keep-alive 连接在 DUR 后关闭（默认 60s）。</translation>
    </message>
    <message>
        <source>Open connections at most (default: the descriptor limit less 32 for the database); more are refused at once.</source>
        <translation>最多同时打开的连接数（默认：文件描述符上限减去留给数据库的 32 个）；超出的连接会被立即拒绝。</translation>
    </message>
    <message>
        <source>Open connections from one client address at most (default 100).</source>
        <translation>来自同一客户端地址的最大连接数（默认 100）。</translation>
    </message>
    <message>
        <source>--%1 must be a number between 1 and %2</source>
        <translation>--%1 必须是 1 到 %2 之间的数字</translation>
    </message>
    <message>
        <source>--cache must be longer than 0</source>
        <translation>--cache 必须大于 0</translation>
    </message>
    <message>
        <source>--read-timeout and --idle-timeout must be longer than 0</source>
        <translation>--read-timeout 和 --idle-timeout 必须大于 0</translation>
    </message>
    <message>
        <source>--db must not be empty</source>
        <translation>--db 不能为空</translation>
    </message>
    <message>
        <source>--db: %1</source>
        <translation>--db：%1</translation>
    </message>
    <message>
        <source>--listen: &quot;%1&quot; is not ADDR:PORT</source>
        <translation>--listen：“%1”不是 ADDR:PORT 格式</translation>
    </message>
    <message>
        <source>--token must not be empty</source>
        <translation>--token 不能为空</translation>
    </message>
    <message>
        <source>cannot install signal handlers</source>
        <translation>无法安装信号处理程序</translation>
    </message>
    <message>
        <source>traybeat: push notifications in the system tray.</source>
        <translation>traybeat：系统托盘中的推送通知。</translation>
    </message>
    <message>
        <source>Also run an embedded server that publishes sample notifications.</source>
        <translation>同时运行一个内置服务器，发布示例通知。</translation>
    </message>
    <message>
        <source>Keep the notification store in DIR (default: the app data folder).</source>
        <translation>将通知存储保存在 DIR 中（默认：应用数据文件夹）。</translation>
    </message>
    <message>
        <source>unexpected argument &quot;%1&quot; (modes: listen, serve, publish; see --help)</source>
        <translation>多余的参数“%1”（可用模式：listen、serve、publish；参见 --help）</translation>
    </message>
    <message>
        <source>--state-dir: the folder is empty</source>
        <translation>--state-dir：文件夹名为空</translation>
    </message>
    <message>
        <source>another traybeat is running but did not answer</source>
        <translation>另一个 traybeat 正在运行，但没有响应</translation>
    </message>
    <message>
        <source>--%1: &quot;%2&quot; is not a duration (use a number with ms, s, m, h or d, e.g. 250ms, 5s, 2m)</source>
        <translation>--%1：“%2”不是有效的时长（请使用数字加单位 ms、s、m、h 或 d，例如 250ms、5s、2m）</translation>
    </message>
    <message>
        <source>Runs the reference push server: ntfy&apos;s publish and subscribe API (POST /&lt;topic&gt;, JSON publishing, /&lt;topics&gt;/ws|json|sse|raw, scheduled delivery; see the README).</source>
        <translation>运行参考推送服务器：ntfy 的发布与订阅 API（POST /&lt;topic&gt;、JSON 发布、/&lt;topics&gt;/ws|json|sse|raw、定时投递；详见 README）。</translation>
    </message>
    <message>
        <source>--auth-file must not be empty</source>
        <translation>--auth-file 不能为空</translation>
    </message>
    <message>
        <source>usage: traybeat user add|del|change-pass NAME, or traybeat user list</source>
        <translation>用法：traybeat user add|del|change-pass NAME，或 traybeat user list</translation>
    </message>
    <message>
        <source>--role must be admin or user</source>
        <translation>--role 必须是 admin 或 user</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid user name</source>
        <translation>“%1”不是有效的用户名</translation>
    </message>
    <message>
        <source>Password: </source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>New password: </source>
        <translation>新密码：</translation>
    </message>
    <message>
        <source>change-role needs --role admin|user</source>
        <translation>change-role 需要 --role admin|user</translation>
    </message>
    <message>
        <source>unknown command &quot;%1&quot; (add, del, list, change-pass, change-role)</source>
        <translation>未知命令“%1”（add、del、list、change-pass、change-role）</translation>
    </message>
    <message>
        <source>usage: traybeat access --reset NAME [PATTERN]</source>
        <translation>用法：traybeat access --reset NAME [PATTERN]</translation>
    </message>
    <message>
        <source>usage: traybeat access NAME|* TOPIC-PATTERN read-write|read-only|write-only|deny</source>
        <translation>用法：traybeat access NAME|* TOPIC-PATTERN read-write|read-only|write-only|deny</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is none of read-write, read-only, write-only, deny</source>
        <translation>“%1”不是 read-write、read-only、write-only、deny 之一</translation>
    </message>
    <message>
        <source>--expires: &quot;%1&quot; is not a duration (e.g. 30d, 12h)</source>
        <translation>--expires：“%1”不是时长（例如 30d、12h）</translation>
    </message>
    <message>
        <source>usage: traybeat token add NAME [--label L] [--expires DUR], token list NAME, token remove NAME TOKEN</source>
        <translation>用法：traybeat token add NAME [--label L] [--expires DUR]，token list NAME，token remove NAME TOKEN</translation>
    </message>
    <message>
        <source>Manages the users of `traybeat serve`: user add|del|change-pass NAME, user list, user change-role NAME --role admin|user. Passwords are read from a prompt, or from the first line of standard input when it is not a terminal.</source>
        <translation>管理 `traybeat serve` 的用户：user add|del|change-pass NAME、user list、user change-role NAME --role admin|user。密码从提示中读取；标准输入不是终端时，读取其第一行。</translation>
    </message>
    <message>
        <source>admin (may read and write every topic) or user.</source>
        <translation>admin（可读写所有主题）或 user。</translation>
    </message>
    <message>
        <source>Grants a user (or * for everyone) access to topics: access NAME TOPIC-PATTERN read-write|read-only|write-only|deny. access [NAME] lists; access --reset NAME [PATTERN] removes grants. * in a pattern matches any characters.</source>
        <translation>授予用户（或 * 表示所有人）对主题的访问权限：access NAME TOPIC-PATTERN read-write|read-only|write-only|deny。access [NAME] 列出授权；access --reset NAME [PATTERN] 删除授权。模式中的 * 匹配任意字符。</translation>
    </message>
    <message>
        <source>Remove NAME&apos;s grant on PATTERN, or all of them.</source>
        <translation>删除 NAME 在 PATTERN 上的授权，或其全部授权。</translation>
    </message>
    <message>
        <source>Manages access tokens: token add NAME (prints the new token once), token list NAME, token remove NAME TOKEN.</source>
        <translation>管理访问令牌：token add NAME（新令牌只显示一次）、token list NAME、token remove NAME TOKEN。</translation>
    </message>
    <message>
        <source>A note to tell the token apart.</source>
        <translation>用于区分令牌的备注。</translation>
    </message>
    <message>
        <source>The token stops working after DUR (e.g. 30d).</source>
        <translation>令牌在 DUR 之后失效（例如 30d）。</translation>
    </message>
    <message>
        <source>the password is empty</source>
        <translation>密码为空</translation>
    </message>
    <message>
        <source>Repeat the password: </source>
        <translation>再次输入密码：</translation>
    </message>
    <message>
        <source>the two passwords differ</source>
        <translation>两次输入的密码不一致</translation>
    </message>
    <message>
        <source>SQLite file of users, access grants and tokens (default %1).</source>
        <translation>保存用户、访问授权和令牌的 SQLite 文件（默认 %1）。</translation>
    </message>
    <message>
        <source>Sign in as NAME with a password (Basic auth) instead of a token; the password comes from TRAYBEAT_PASSWORD, else a prompt.</source>
        <translation>以 NAME 和密码登录（Basic 认证），代替令牌；密码取自 TRAYBEAT_PASSWORD，否则提示输入。</translation>
    </message>
    <message>
        <source>--user must not be empty</source>
        <translation>--user 不能为空</translation>
    </message>
    <message>
        <source>--user: set TRAYBEAT_PASSWORD (no terminal to ask on)</source>
        <translation>--user：请设置 TRAYBEAT_PASSWORD（没有可用于提示的终端）</translation>
    </message>
    <message>
        <source>Password for %1: </source>
        <translation>%1 的密码：</translation>
    </message>
    <message>
        <source>What a client may do where no grant says otherwise: read-write, read-only, write-only or deny-all (default read-write; deny-all with --token and no auth file, as before users existed).</source>
        <translation>没有授权规定时客户端可以做什么：read-write、read-only、write-only 或 deny-all（默认 read-write；给出 --token 且没有认证文件时为 deny-all，与引入用户之前相同）。</translation>
    </message>
    <message>
        <source>--default-access: &quot;%1&quot; is none of read-write, read-only, write-only, deny-all</source>
        <translation>--default-access：“%1”不是 read-write、read-only、write-only、deny-all 之一</translation>
    </message>
    <message>
        <source>already running; brought its window forward</source>
        <translation>已在运行；已将它的窗口带到前面</translation>
    </message>
    <message>
        <source>Connect directly, ignoring the system proxy settings (http_proxy, https_proxy).</source>
        <translation>直接连接，忽略系统代理设置（http_proxy、https_proxy）。</translation>
    </message>
    <message>
        <source>--db: only a postgresql:// URL holds users; with an SQLite message file they are in the auth file (--auth-file)</source>
        <translation>--db：只有 postgresql:// URL 保存用户；使用 SQLite 消息文件时，用户保存在认证文件中（--auth-file）</translation>
    </message>
    <message>
        <source>The PostgreSQL database of traybeat serve --db (postgresql://USER@HOST/DBNAME): users and access live there instead of in an auth file.</source>
        <translation>traybeat serve --db 所用的 PostgreSQL 数据库（postgresql://USER@HOST/DBNAME）：用户和访问权限保存在其中，而不是认证文件中。</translation>
    </message>
    <message>
        <source>--auth-file and --db: give one of them</source>
        <translation>--auth-file 和 --db：只能指定其中一个</translation>
    </message>
    <message>
        <source>Read the --db value from the first line of FILE (mode 0600), so that a password in the URL is never on a command line.</source>
        <translation>从 FILE（权限 0600）的第一行读取 --db 的值，使 URL 中的密码永远不会出现在命令行上。</translation>
    </message>
    <message>
        <source>--db and --db-url-file: give one of them</source>
        <translation>--db 和 --db-url-file：只能指定其中一个</translation>
    </message>
    <message>
        <source>--db-url-file: cannot read %1: %2</source>
        <translation>--db-url-file：无法读取 %1：%2</translation>
    </message>
    <message>
        <source>--db-url-file: %1 may be read by others; make it private (chmod 600)</source>
        <translation>--db-url-file：其他用户可以读取 %1；请将其设为私有（chmod 600）</translation>
    </message>
    <message>
        <source>--db-url-file: %1 holds nothing on its first line</source>
        <translation>--db-url-file：%1 的第一行为空</translation>
    </message>
    <message>
        <source>SQLite file for the message cache (default %1), or a PostgreSQL database that several instances may share, holding messages, users and access: postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=MODE] (or ?host=/socket/folder). Keep the password off the command line: in ~/.pgpass or PGPASSWORD (read by libpq), or with the URL in --db-url-file.</source>
        <translation>消息缓存的 SQLite 文件（默认 %1），或可由多个实例共享、保存消息、用户和访问权限的 PostgreSQL 数据库：postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=MODE]（或 ?host=/socket/folder）。不要把密码写在命令行上：请放在 ~/.pgpass 或 PGPASSWORD 中（由 libpq 读取），或将 URL 写入 --db-url-file 指定的文件。</translation>
    </message>
    <message>
        <source>--auth-file cannot be used with a PostgreSQL --db: users and access live in that database (manage them with traybeat user|access|token --db URL)</source>
        <translation>--auth-file 不能与 PostgreSQL 的 --db 一起使用：用户和访问权限保存在该数据库中（请用 traybeat user|access|token --db URL 管理）</translation>
    </message>
    <message>
        <source>with a PostgreSQL --db users and access live in that database, but the auth file %1 exists: add its users there (traybeat user add NAME --db URL, …), then move the file away</source>
        <translation>使用 PostgreSQL 的 --db 时，用户和访问权限保存在该数据库中，但认证文件 %1 存在：请先把其中的用户添加到数据库（traybeat user add NAME --db URL，……），再移走该文件</translation>
    </message>
</context>
<context>
    <name>traybeat::ConnectionManager</name>
    <message>
        <source>reconnecting on request</source>
        <translation>应请求重新连接</translation>
    </message>
    <message>
        <source>the server closed the connection (code %1)</source>
        <translation>服务器关闭了连接（代码 %1）</translation>
    </message>
    <message>
        <source>TLS error: %1</source>
        <translation>TLS 错误：%1</translation>
    </message>
    <message>
        <source>the server refused the credentials (HTTP 401)</source>
        <translation>服务器拒绝了凭据（HTTP 401）</translation>
    </message>
    <message>
        <source>access forbidden by the server (HTTP 403)</source>
        <translation>服务器禁止访问（HTTP 403）</translation>
    </message>
    <message>
        <source>the server answered HTTP %1</source>
        <translation>服务器返回 HTTP %1</translation>
    </message>
    <message>
        <source>no sign of life from the server for %1 ms</source>
        <translation>服务器已 %1 毫秒没有响应</translation>
    </message>
    <message>
        <source>the connection was not established within %1 ms</source>
        <translation>连接未能在 %1 毫秒内建立</translation>
    </message>
    <message>
        <source>trying again: %1</source>
        <translation>正在重试：%1</translation>
    </message>
</context>
<context>
    <name>traybeat::ConnectionProbe</name>
    <message>
        <source>no answer within %1</source>
        <translation>%1 内没有应答</translation>
    </message>
</context>
<context>
    <name>traybeat::DatabaseLocation</name>
    <message>
        <source>sslmode &quot;%1&quot; is none of disable, allow, prefer, require, verify-ca, verify-full</source>
        <translation>sslmode“%1”不是 disable、allow、prefer、require、verify-ca、verify-full 之一</translation>
    </message>
    <message>
        <source>host= must be the absolute path of a socket folder</source>
        <translation>host= 必须是套接字所在文件夹的绝对路径</translation>
    </message>
    <message>
        <source>unknown parameter &quot;%1&quot; (only sslmode and host are read)</source>
        <translation>未知参数“%1”（只识别 sslmode 和 host）</translation>
    </message>
    <message>
        <source>the URL names no user (postgresql://USER@HOST/DBNAME)</source>
        <translation>URL 中没有用户名（postgresql://USER@HOST/DBNAME）</translation>
    </message>
    <message>
        <source>the user name holds a space, quote or semicolon</source>
        <translation>用户名中含有空格、引号或分号</translation>
    </message>
    <message>
        <source>the URL names no host (postgresql://USER@HOST/DBNAME, or ?host=/socket/folder)</source>
        <translation>URL 中没有主机（postgresql://USER@HOST/DBNAME，或 ?host=/套接字/文件夹）</translation>
    </message>
    <message>
        <source>port 0 is not a PostgreSQL port</source>
        <translation>端口 0 不是 PostgreSQL 端口</translation>
    </message>
    <message>
        <source>only postgresql:// URLs are databases; a file path has no scheme</source>
        <translation>只有 postgresql:// URL 表示数据库；文件路径不带协议前缀</translation>
    </message>
    <message>
        <source>the database must not be empty</source>
        <translation>数据库不能为空</translation>
    </message>
    <message>
        <source>not a valid postgresql://USER@HOST/DBNAME URL</source>
        <translation>不是有效的 postgresql://USER@HOST/DBNAME URL</translation>
    </message>
    <message>
        <source>the URL must name one database after the host (/DBNAME)</source>
        <translation>URL 必须在主机之后指明一个数据库（/DBNAME）</translation>
    </message>
    <message>
        <source>the URL must not have a fragment (#)</source>
        <translation>URL 不能带片段（#）</translation>
    </message>
    <message>
        <source>cannot open database %1: Qt&apos;s PostgreSQL driver (QPSQL) is not installed (Debian: libqt6sql6-psql)</source>
        <translation>无法打开数据库 %1：未安装 Qt 的 PostgreSQL 驱动（QPSQL）（Debian：libqt6sql6-psql）</translation>
    </message>
    <message>
        <source>cannot open database %1: %2</source>
        <translation>无法打开数据库 %1：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::Demo</name>
    <message>
        <source>Welcome to traybeat</source>
        <translation>欢迎使用 traybeat</translation>
    </message>
    <message>
        <source>This demo runs its own push server and publishes a few samples. Click a pop-up to read it in the history.</source>
        <translation>此演示运行自己的推送服务器，并发布几条示例通知。点击弹窗即可在历史记录中查看。</translation>
    </message>
    <message>
        <source>Backup finished</source>
        <translation>备份完成</translation>
    </message>
    <message>
        <source>nightly-backup: 12.4 GB in 8 min 31 s, no errors.</source>
        <translation>nightly-backup：12.4 GB，用时 8 分 31 秒，无错误。</translation>
    </message>
    <message>
        <source>Release 2.4.1 deployed</source>
        <translation>2.4.1 版已部署</translation>
    </message>
    <message>
        <source>Production is on 2.4.1. Click to open the release notes (https://example.org).</source>
        <translation>生产环境已升级到 2.4.1。点击打开发布说明（https://example.org）。</translation>
    </message>
    <message>
        <source>&lt;b&gt;HTML&lt;/b&gt; stays literal</source>
        <translation>&lt;b&gt;HTML&lt;/b&gt; 按原文显示</translation>
    </message>
    <message>
        <source>Server text is never rich text: &lt;i&gt;no markup&lt;/i&gt;, &lt;a href=&quot;https://example.org&quot;&gt;no links&lt;/a&gt;, &amp;amp; no entities.</source>
        <translation>服务器发来的文字从不作为富文本显示：&lt;i&gt;没有标记&lt;/i&gt;，&lt;a href=&quot;https://example.org&quot;&gt;没有链接&lt;/a&gt;，&amp;amp; 也没有实体。</translation>
    </message>
    <message>
        <source>Disk almost full on db-1</source>
        <translation>db-1 的磁盘快满了</translation>
    </message>
    <message>
        <source>/var is 97% full. Writes will start failing soon. Urgent notifications stay until you close them.</source>
        <translation>/var 已用 97%。写入很快就会失败。紧急通知会一直显示，直到你关闭它。</translation>
    </message>
    <message>
        <source>Build passed</source>
        <translation>构建通过</translation>
    </message>
    <message>
        <source>main #1842: 312 tests passed in 4 min 2 s.</source>
        <translation>main #1842：312 个测试全部通过，用时 4 分 2 秒。</translation>
    </message>
    <message>
        <source>New comment</source>
        <translation>新评论</translation>
    </message>
    <message>
        <source>Alex: &quot;Looks good to me, merging after lunch.&quot;</source>
        <translation>Alex：“我看没问题，午饭后合并。”</translation>
    </message>
    <message>
        <source>Temperature high</source>
        <translation>温度过高</translation>
    </message>
    <message>
        <source>Server room: 29.5 °C (threshold 28 °C).</source>
        <translation>机房：29.5 °C（阈值 28 °C）。</translation>
    </message>
    <message>
        <source>Certificate renewed</source>
        <translation>证书已续期</translation>
    </message>
    <message>
        <source>example.org: valid until next quarter.</source>
        <translation>example.org：有效期至下个季度。</translation>
    </message>
    <message>
        <source>cannot create a temporary folder for the demo server: %1</source>
        <translation>无法为演示服务器创建临时文件夹：%1</translation>
    </message>
    <message>
        <source>the demo server did not start: %1</source>
        <translation>演示服务器未能启动：%1</translation>
    </message>
    <message>
        <source>Garage door open</source>
        <translation>车库门未关</translation>
    </message>
    <message>
        <source>The garage door has been open for 15 minutes.</source>
        <translation>车库门已经开了 15 分钟。</translation>
    </message>
    <message>
        <source>Close it</source>
        <translation>关门</translation>
    </message>
    <message>
        <source>Garage door closed</source>
        <translation>车库门已关闭</translation>
    </message>
    <message>
        <source>Closed from the pop-up&apos;s button.</source>
        <translation>已通过弹窗上的按钮关闭。</translation>
    </message>
    <message>
        <source>Open camera</source>
        <translation>打开摄像头</translation>
    </message>
    <message>
        <source>Weekly report (markdown)</source>
        <translation>每周报告（markdown）</translation>
    </message>
    <message>
        <source>**3 jobs failed**, 41 passed. See [the report](https://example.org/report).

- a `javascript:` link stays text: [not a link](javascript:alert(1))
- images are not loaded: ![chart](https://example.org/chart.png)
- HTML stays literal: &lt;b&gt;not bold&lt;/b&gt;</source>
        <translation>**3 个任务失败**，41 个通过。请查看[报告](https://example.org/report)。

- `javascript:` 链接只保留文字：[不是链接](javascript:alert(1))
- 图片不会加载：![图表](https://example.org/chart.png)
- HTML 按原样显示：&lt;b&gt;不是粗体&lt;/b&gt;</translation>
    </message>
</context>
<context>
    <name>traybeat::Duration</name>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
</context>
<context>
    <name>traybeat::GotifyProtocol</name>
    <message>
        <source>a gotify message without a usable id; skipped</source>
        <translation>一条 gotify 消息没有可用的 ID，已跳过</translation>
    </message>
    <message>
        <source>a gotify message</source>
        <translation>一条 gotify 消息</translation>
    </message>
    <message>
        <source>more than %1 live messages arrived meanwhile</source>
        <translation>在此期间收到了超过 %1 条实时消息</translation>
    </message>
    <message>
        <source>the gotify server refused the client token (HTTP %1)</source>
        <translation>gotify 服务器拒绝了客户端令牌（HTTP %1）</translation>
    </message>
    <message>
        <source>the gotify server answered HTTP %1</source>
        <translation>gotify 服务器返回 HTTP %1</translation>
    </message>
    <message>
        <source>the answer was too large or too slow</source>
        <translation>应答过大或过慢</translation>
    </message>
    <message>
        <source>the message list is not a JSON object (%1)</source>
        <translation>消息列表不是 JSON 对象（%1）</translation>
    </message>
    <message>
        <source>wrong type</source>
        <translation>类型错误</translation>
    </message>
    <message>
        <source>the answer holds no message list</source>
        <translation>应答中没有消息列表</translation>
    </message>
    <message>
        <source>the server ignored the paging position (since=%1)</source>
        <translation>服务器忽略了分页位置（since=%1）</translation>
    </message>
    <message>
        <source>more than %1 messages missed while offline; the older ones are skipped</source>
        <translation>离线期间错过了超过 %1 条消息，较早的消息已跳过</translation>
    </message>
    <message numerus="yes">
        <source>%n gotify message(s) without a usable id skipped while catching up</source>
        <translation>
            <numerusform>补收时跳过了 %n 条没有可用 ID 的 gotify 消息</numerusform>
        </translation>
    </message>
    <message>
        <source>catching up on missed gotify messages failed: %1</source>
        <translation>补收错过的 gotify 消息失败：%1</translation>
    </message>
</context>
<context>
    <name>traybeat::HistoryModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Subscription</source>
        <translation>订阅</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>traybeat::HistoryWindow</name>
    <message>
        <source>Notification History</source>
        <translation>通知历史记录</translation>
    </message>
    <message>
        <source>All subscriptions</source>
        <translation>所有订阅</translation>
    </message>
    <message>
        <source>Select a notification to read it in full.</source>
        <translation>选择一条通知即可查看全文。</translation>
    </message>
    <message>
        <source>(no title)</source>
        <translation>（无标题）</translation>
    </message>
    <message>
        <source>topic %1</source>
        <translation>主题 %1</translation>
    </message>
    <message>
        <source>priority %1</source>
        <translation>优先级 %1</translation>
    </message>
    <message>
        <source>tags: %1</source>
        <translation>标签：%1</translation>
    </message>
    <message>
        <source>Delete all %1 from the history?</source>
        <translation>要从历史记录中删除全部 %1 吗？</translation>
    </message>
    <message>
        <source>Delete all %1 of “%2” from the history?</source>
        <translation>要从历史记录中删除“%2”的全部 %1 吗？</translation>
    </message>
    <message>
        <source>Clear History</source>
        <translation>清除历史记录</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>此操作无法撤销。</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>1 notification</source>
        <translation>1 条通知</translation>
    </message>
    <message>
        <source>%1 notifications</source>
        <translation>%1 条通知</translation>
    </message>
    <message>
        <source>No matching notifications</source>
        <translation>没有匹配的通知</translation>
    </message>
    <message>
        <source>No notifications yet</source>
        <translation>还没有通知</translation>
    </message>
    <message>
        <source>Try another search or subscription.</source>
        <translation>请换个搜索词或订阅试试。</translation>
    </message>
    <message>
        <source>Messages from your subscriptions will appear here.</source>
        <translation>来自订阅的消息会显示在这里。</translation>
    </message>
    <message>
        <source>%1 matching</source>
        <translation>%1 条匹配</translation>
    </message>
    <message>
        <source>%1 unread</source>
        <translation>%1 条未读</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Filters the history as you type (Ctrl+F)</source>
        <translation>输入时即筛选历史记录（Ctrl+F）</translation>
    </message>
    <message>
        <source>Subscription</source>
        <translation>订阅</translation>
    </message>
    <message>
        <source>&amp;Mark All Read</source>
        <translation>全部标为已读(&amp;M)</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>链接</translation>
    </message>
    <message>
        <source>&amp;Open Link</source>
        <translation>打开链接(&amp;O)</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>C&amp;lear…</source>
        <translation>清除(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Copy Text</source>
        <translation>复制文本(&amp;C)</translation>
    </message>
    <message>
        <source>Search titles, messages, topics and tags</source>
        <translation>搜索标题、消息、主题和标签</translation>
    </message>
    <message>
        <source>&amp;Unread only</source>
        <translation>仅未读(&amp;U)</translation>
    </message>
    <message>
        <source>All priorities</source>
        <translation>所有优先级</translation>
    </message>
    <message>
        <source>High and urgent</source>
        <translation>高和紧急</translation>
    </message>
    <message>
        <source>Urgent only</source>
        <translation>仅紧急</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Newest first. Enter opens the message and its link; the context menu key offers more.</source>
        <translation>最新的在前。回车键打开消息及其链接；上下文菜单键提供更多操作。</translation>
    </message>
    <message>
        <source>Could not open the link: no web browser was found.</source>
        <translation>无法打开链接：未找到网页浏览器。</translation>
    </message>
    <message>
        <source>Mark &amp;Read</source>
        <translation>标为已读(&amp;R)</translation>
    </message>
    <message>
        <source>Mark &amp;Unread</source>
        <translation>标为未读(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
</context>
<context>
    <name>traybeat::MediaFetcher</name>
    <message>
        <source>Only http and https addresses are fetched</source>
        <translation>只会获取 http 和 https 地址</translation>
    </message>
    <message>
        <source>Too many pictures are being fetched</source>
        <translation>正在获取的图片太多</translation>
    </message>
    <message>
        <source>No answer within %1 s</source>
        <translation>%1 秒内没有应答</translation>
    </message>
    <message>
        <source>HTTP error %1</source>
        <translation>HTTP 错误 %1</translation>
    </message>
    <message>
        <source>Larger than %1</source>
        <translation>超过 %1</translation>
    </message>
    <message>
        <source>Not an image (%1)</source>
        <translation>不是图片（%1）</translation>
    </message>
    <message>
        <source>Refused a redirect to an address that is not http or https</source>
        <translation>已拒绝重定向到非 http 或 https 的地址</translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation>不是图片</translation>
    </message>
    <message>
        <source>The image is too large (%1 × %2 pixels)</source>
        <translation>图片太大（%1 × %2 像素）</translation>
    </message>
    <message>
        <source>Cannot read the image: %1</source>
        <translation>无法读取图片：%1</translation>
    </message>
</context>
<context>
    <name>traybeat::MessageStore</name>
    <message>
        <source>cannot open database %1: %2</source>
        <translation>无法打开数据库 %1：%2</translation>
    </message>
    <message>
        <source>cannot use database %1: %2</source>
        <translation>无法使用数据库 %1：%2</translation>
    </message>
    <message>
        <source>cannot prepare statements on %1: %2</source>
        <translation>无法在 %1 上准备语句：%2</translation>
    </message>
    <message>
        <source>cannot upgrade database %1: %2</source>
        <translation>无法升级数据库 %1：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::NativeNotifier</name>
    <message>
        <source>1 new notification from %1</source>
        <translation>来自 %1 的 1 条新通知</translation>
    </message>
    <message>
        <source>%1 new notifications from %2</source>
        <translation>来自 %2 的 %1 条新通知</translation>
    </message>
    <message>
        <source>Open the history to read them.</source>
        <translation>请打开历史记录查看。</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>traybeat::NotificationAction</name>
    <message>
        <source>unknown action type &quot;%1&quot;</source>
        <translation>未知的操作类型“%1”</translation>
    </message>
    <message>
        <source>an action without a label</source>
        <translation>操作缺少标签</translation>
    </message>
    <message>
        <source>an action label longer than %1 characters</source>
        <translation>操作标签超过 %1 个字符</translation>
    </message>
    <message>
        <source>a view action needs a URL</source>
        <translation>view 操作需要一个 URL</translation>
    </message>
    <message>
        <source>a copy action needs a value of at most %1 characters</source>
        <translation>copy 操作需要一个不超过 %1 个字符的值</translation>
    </message>
    <message>
        <source>more than %1 actions; the rest are not shown</source>
        <translation>操作超过 %1 个，其余的不显示</translation>
    </message>
    <message>
        <source>more than %1 headers</source>
        <translation>请求头超过 %1 个</translation>
    </message>
    <message>
        <source>the header &quot;%1&quot; is not a valid HTTP header</source>
        <translation>“%1”不是有效的 HTTP 请求头</translation>
    </message>
    <message>
        <source>an http action needs an http or https URL</source>
        <translation>http 操作需要 http 或 https URL</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an HTTP method</source>
        <translation>“%1”不是 HTTP 方法</translation>
    </message>
    <message>
        <source>the request body is longer than %1 characters</source>
        <translation>请求体超过 %1 个字符</translation>
    </message>
</context>
<context>
    <name>traybeat::NotificationAttachment</name>
    <message>
        <source>an attachment without an http or https URL</source>
        <translation>附件没有 http 或 https URL</translation>
    </message>
</context>
<context>
    <name>traybeat::NotificationStore</name>
    <message>
        <source>%1 is not a traybeat database (or it is damaged)</source>
        <translation>%1 不是 traybeat 数据库（或已损坏）</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>cannot configure %1: %2</source>
        <translation>无法配置 %1：%2</translation>
    </message>
    <message>
        <source>%1 was written by a newer traybeat (schema %2, this one knows up to %3)</source>
        <translation>%1 由更新版本的 traybeat 写入（架构版本 %2，当前版本最高只支持 %3）</translation>
    </message>
    <message>
        <source>cannot create the tables in %1: %2</source>
        <translation>无法在 %1 中创建数据表：%2</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>%1 is a folder, not a database file</source>
        <translation>%1 是文件夹，不是数据库文件</translation>
    </message>
    <message>
        <source>%1 is not writable</source>
        <translation>%1 不可写</translation>
    </message>
    <message>
        <source>cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>cannot prepare statements on %1</source>
        <translation>无法在 %1 上准备语句</translation>
    </message>
</context>
<context>
    <name>traybeat::NtfyProtocol</name>
    <message>
        <source>an ntfy event</source>
        <translation>一个 ntfy 事件</translation>
    </message>
    <message>
        <source>an ntfy message without an id; skipped</source>
        <translation>一条 ntfy 消息没有 ID，已跳过</translation>
    </message>
</context>
<context>
    <name>traybeat::PopupStack</name>
    <message>
        <source>%1 subscriptions</source>
        <translation>%1 个订阅</translation>
    </message>
    <message>
        <source>1 new notification from %1</source>
        <translation>来自 %1 的 1 条新通知</translation>
    </message>
    <message>
        <source>%1 new notifications from %2</source>
        <translation>来自 %2 的 %1 条新通知</translation>
    </message>
    <message>
        <source>Too many to show one by one. Click to read them in the history.</source>
        <translation>通知太多，无法逐条显示。点击即可在历史记录中查看。</translation>
    </message>
</context>
<context>
    <name>traybeat::PopupWidget</name>
    <message>
        <source>min priority</source>
        <translation>最低优先级</translation>
    </message>
    <message>
        <source>low priority</source>
        <translation>低优先级</translation>
    </message>
    <message>
        <source>high priority</source>
        <translation>高优先级</translation>
    </message>
    <message>
        <source>urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Click to open the link</source>
        <translation>点击打开链接</translation>
    </message>
    <message>
        <source>Click to read it in the history</source>
        <translation>点击在历史记录中查看</translation>
    </message>
    <message>
        <source>traybeat</source>
        <translation>traybeat</translation>
    </message>
    <message>
        <source>Click to open the history</source>
        <translation>点击打开历史记录</translation>
    </message>
    <message>
        <source>Open link: %1</source>
        <translation>打开链接：%1</translation>
    </message>
    <message>
        <source>Could not open the link: no web browser was found. It is kept in the history.</source>
        <translation>无法打开链接：未找到网页浏览器。该消息保留在历史记录中。</translation>
    </message>
</context>
<context>
    <name>traybeat::PrivatePath</name>
    <message>
        <source>cannot inspect the folder %1</source>
        <translation>无法检查文件夹 %1</translation>
    </message>
    <message>
        <source>the folder %1 belongs to another account, which could swap %2</source>
        <translation>文件夹 %1 属于其他账户，该账户可能会替换 %2</translation>
    </message>
    <message>
        <source>other accounts can write to the folder %1 (mode %2) and could swap %3</source>
        <translation>其他账户可以写入文件夹 %1（权限 %2），可能会替换 %3</translation>
    </message>
    <message>
        <source>%1 is not a folder</source>
        <translation>%1 不是文件夹</translation>
    </message>
    <message>
        <source>the folder %1 belongs to another account, which could swap what traybeat keeps there</source>
        <translation>文件夹 %1 属于其他账户，该账户可能会替换 traybeat 保存在其中的内容</translation>
    </message>
    <message>
        <source>other accounts can write to the folder %1 (mode %2) and could swap what traybeat keeps there; use a folder only you can write to</source>
        <translation>其他账户可以写入文件夹 %1（权限 %2），可能会替换 traybeat 保存在其中的内容；请使用只有你能写入的文件夹</translation>
    </message>
    <message>
        <source>the folder name is empty</source>
        <translation>文件夹名为空</translation>
    </message>
    <message>
        <source>cannot create the folder %1</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <source>cannot create the folder %1: %2</source>
        <translation>无法创建文件夹 %1：%2</translation>
    </message>
    <message>
        <source>cannot make the folder %1 private to its owner: %2</source>
        <translation>无法将文件夹 %1 设为仅所有者可访问：%2</translation>
    </message>
    <message>
        <source>cannot create %1: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
    <message>
        <source>cannot inspect %1: %2</source>
        <translation>无法检查 %1：%2</translation>
    </message>
    <message>
        <source>cannot make %1 private to its owner: %2</source>
        <translation>无法将 %1 设为仅所有者可访问：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::Protocol</name>
    <message>
        <source>the %1 protocol is not available in this build</source>
        <translation>此版本不支持 %1 协议</translation>
    </message>
    <message>
        <source>%1 of %2 bytes is over the %3 byte limit; skipped</source>
        <translation>%1（%2 字节）超过了 %3 字节的上限，已跳过</translation>
    </message>
    <message>
        <source>%1 is not a JSON object (%2); skipped</source>
        <translation>%1不是 JSON 对象（%2），已跳过</translation>
    </message>
    <message>
        <source>wrong type</source>
        <translation>类型错误</translation>
    </message>
</context>
<context>
    <name>traybeat::PushServer</name>
    <message>
        <source>cannot listen on %1 port %2: %3</source>
        <translation>无法在 %1 的端口 %2 上监听：%3</translation>
    </message>
    <message>
        <source>cannot LISTEN on %1: %2</source>
        <translation>无法在 %1 上执行 LISTEN：%2</translation>
    </message>
</context>
<context>
    <name>traybeat::SecretStore</name>
    <message>
        <source>no D-Bus session bus</source>
        <translation>没有 D-Bus 会话总线</translation>
    </message>
    <message>
        <source>the desktop keyring did not answer within %1</source>
        <translation>桌面密钥环未在 %1 内响应</translation>
    </message>
</context>
<context>
    <name>traybeat::SettingsDialog</name>
    <message>
        <source>traybeat Settings</source>
        <translation>traybeat 设置</translation>
    </message>
    <message>
        <source>&amp;Subscriptions</source>
        <translation>订阅(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Notifications</source>
        <translation>通知(&amp;N)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>协议</translation>
    </message>
    <message>
        <source>Topics</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>No subscriptions yet.
Add one to receive notifications from a server.</source>
        <translation>还没有订阅。
添加一个订阅即可接收来自服务器的通知。</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>删除(&amp;R)</translation>
    </message>
    <message>
        <source>Each subscription keeps its own connection and history. Changes take effect when you press OK.</source>
        <translation>每个订阅都有自己的连接和历史记录。按“确定”后更改生效。</translation>
    </message>
    <message>
        <source>&amp;Do not disturb</source>
        <translation>勿扰模式(&amp;D)</translation>
    </message>
    <message>
        <source>No pop-ups, except urgent ones if chosen below; notifications are still kept in the history.</source>
        <translation>不弹窗（若在下方选择，紧急通知除外）；通知仍会保存在历史记录中。</translation>
    </message>
    <message>
        <source>Top right</source>
        <translation>右上角</translation>
    </message>
    <message>
        <source>Top left</source>
        <translation>左上角</translation>
    </message>
    <message>
        <source>Bottom right</source>
        <translation>右下角</translation>
    </message>
    <message>
        <source>Bottom left</source>
        <translation>左下角</translation>
    </message>
    <message>
        <source>For normal priority. Higher priorities stay longer; urgent ones stay until closed.</source>
        <translation>适用于普通优先级。优先级越高显示越久；紧急通知会一直显示，直到被关闭。</translation>
    </message>
    <message>
        <source>Pop-ups</source>
        <translation>弹窗</translation>
    </message>
    <message>
        <source>&amp;Position:</source>
        <translation>位置(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Quiet hours</source>
        <translation>静默时段(&amp;Q)</translation>
    </message>
    <message>
        <source>Add Subscription</source>
        <translation>添加订阅</translation>
    </message>
    <message>
        <source>Edit Subscription</source>
        <translation>编辑订阅</translation>
    </message>
    <message>
        <source>Pop-up duration: use a duration like 6s</source>
        <translation>弹窗显示时长：请输入类似 6s 的时长</translation>
    </message>
    <message>
        <source>Pop-up duration must be between %1 and %2.</source>
        <translation>弹窗显示时长必须在 %1 到 %2 之间。</translation>
    </message>
    <message>
        <source>Quiet hours must start and end at different times.</source>
        <translation>静默时段的开始和结束时间不能相同。</translation>
    </message>
    <message>
        <source>S&amp;tart traybeat when I log in</source>
        <translation>登录时启动 traybeat(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Connection</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Connect &amp;directly (ignore the system proxy)</source>
        <translation>直接连接，忽略系统代理(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Tell me when a subscription is offline for longer than:</source>
        <translation>订阅断开超过此时长时通知我(&amp;T)：</translation>
    </message>
    <message>
        <source>Said once, and once more when it is back, with how many notifications arrived that were sent meanwhile. A refused token or certificate is said at once.</source>
        <translation>只通知一次；恢复连接时再通知一次，并说明补收到多少条断线期间发送的通知。令牌或证书被拒绝时会立即通知。</translation>
    </message>
    <message>
        <source>By default traybeat follows the system proxy settings (https_proxy, http_proxy, no_proxy).</source>
        <translation>默认情况下 traybeat 使用系统代理设置（https_proxy、http_proxy、no_proxy）。</translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation>订阅</translation>
    </message>
    <message>
        <source>Enter edits the selected subscription, Delete removes it.</source>
        <translation>回车键编辑所选订阅，Delete 键将其删除。</translation>
    </message>
    <message>
        <source>Pop-up duration</source>
        <translation>弹窗显示时长</translation>
    </message>
    <message>
        <source>&amp;Use the desktop&apos;s notifications instead of traybeat&apos;s own pop-ups</source>
        <translation>使用桌面的通知代替 traybeat 自己的弹窗(&amp;U)</translation>
    </message>
    <message>
        <source>Sho&amp;w for:</source>
        <translation>显示时长(&amp;W)：</translation>
    </message>
    <message>
        <source>This desktop runs Wayland, where the desktop places every window: traybeat&apos;s own pop-ups may not appear in the chosen corner.</source>
        <translation>此桌面运行 Wayland，所有窗口都由桌面决定位置：traybeat 自己的弹窗可能不会出现在所选的角落。</translation>
    </message>
    <message>
        <source>Quiet hours start</source>
        <translation>静默时段开始</translation>
    </message>
    <message>
        <source>Quiet hours end</source>
        <translation>静默时段结束</translation>
    </message>
    <message>
        <source>Ur&amp;gent notifications still pop up</source>
        <translation>紧急通知仍会弹出(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>从(&amp;F)</translation>
    </message>
    <message>
        <source>t&amp;o</source>
        <translation>到(&amp;O)</translation>
    </message>
    <message>
        <source>U&amp;rgent notifications still pop up</source>
        <translation>紧急通知仍会弹出(&amp;R)</translation>
    </message>
    <message>
        <source>Urgent notifications still pop up during do not disturb</source>
        <translation>勿扰模式下紧急通知仍会弹出</translation>
    </message>
    <message>
        <source>Urgent notifications still pop up during quiet hours</source>
        <translation>静默时段内紧急通知仍会弹出</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>not saved yet</source>
        <translation>尚未保存</translation>
    </message>
</context>
<context>
    <name>traybeat::Subscription</name>
    <message numerus="yes">
        <source>%n notification(s) could not be stored; fetching them again</source>
        <translation>
            <numerusform>有 %n 条通知无法保存，正在重新获取</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n notification(s) could not be stored; kept in memory to store later</source>
        <translation>
            <numerusform>有 %n 条通知无法保存，已暂存在内存中，稍后再保存</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n notification(s) could not be stored and were dropped (memory limit)</source>
        <translation>
            <numerusform>有 %n 条通知无法保存，已被丢弃（超出内存上限）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>traybeat::SubscriptionConfig</name>
    <message>
        <source>No server URL is given.</source>
        <translation>未指定服务器 URL。</translation>
    </message>
    <message>
        <source>The server URL &quot;%1&quot; is not usable: it must start with http://, https://, ws:// or wss:// and name a host.</source>
        <translation>服务器 URL“%1”不可用：必须以 http://、https://、ws:// 或 wss:// 开头，并包含主机名。</translation>
    </message>
    <message>
        <source>Unknown protocol &quot;%1&quot; (use ntfy, gotify or text).</source>
        <translation>未知的协议“%1”（请使用 ntfy、gotify 或 text）。</translation>
    </message>
    <message>
        <source>The ntfy protocol needs at least one topic.</source>
        <translation>ntfy 协议至少需要一个主题。</translation>
    </message>
    <message>
        <source>The gotify protocol needs a client token (gotify&apos;s Clients page makes one).</source>
        <translation>gotify 协议需要客户端令牌（可在 gotify 的“Clients”页面创建）。</translation>
    </message>
    <message>
        <source>The topic &quot;%1&quot; is not valid: use letters, digits, - and _ (1 to 64 characters).</source>
        <translation>主题“%1”无效：只能使用字母、数字、- 和 _（1 到 64 个字符）。</translation>
    </message>
    <message>
        <source>The heartbeat interval and timeout must be longer than zero.</source>
        <translation>心跳间隔和超时必须大于零。</translation>
    </message>
    <message>
        <source>The connect timeout must be longer than zero.</source>
        <translation>连接超时必须大于零。</translation>
    </message>
    <message>
        <source>The shortest reconnect delay must be longer than zero.</source>
        <translation>最短重新连接间隔必须大于零。</translation>
    </message>
    <message>
        <source>The longest reconnect delay must not be shorter than the shortest.</source>
        <translation>最长重新连接间隔不能短于最短间隔。</translation>
    </message>
    <message>
        <source>The CA file &quot;%1&quot; does not exist.</source>
        <translation>CA 文件“%1”不存在。</translation>
    </message>
    <message>
        <source>Give a user name and password or a token, not both.</source>
        <translation>请给出用户名和密码，或者令牌，不要同时给出。</translation>
    </message>
    <message>
        <source>The gotify protocol signs in with a client token, not a user name.</source>
        <translation>gotify 协议使用客户端令牌登录，而不是用户名。</translation>
    </message>
    <message>
        <source>A user name must not contain &quot;:&quot;.</source>
        <translation>用户名不能包含“:”。</translation>
    </message>
    <message>
        <source>A port number must follow the “:”, e.g. :8080 (or leave the “:” out).</source>
        <translation>“:”后面必须跟端口号，例如 :8080（或去掉“:”）。</translation>
    </message>
    <message>
        <source>The port “%1” is not a number.</source>
        <translation>端口“%1”不是数字。</translation>
    </message>
    <message>
        <source>The port %1 is out of range: use 1 to 65535.</source>
        <translation>端口 %1 超出范围：请使用 1 到 65535。</translation>
    </message>
    <message>
        <source>The IPv6 address lacks its closing “]”.</source>
        <translation>IPv6 地址缺少结尾的“]”。</translation>
    </message>
    <message>
        <source>The address names no host, e.g. https://ntfy.example.com</source>
        <translation>地址中没有主机名，例如 https://ntfy.example.com</translation>
    </message>
    <message>
        <source>The host “%1” contains a space.</source>
        <translation>主机名“%1”中含有空格。</translation>
    </message>
    <message>
        <source>Enter the server&apos;s address, e.g. https://ntfy.example.com</source>
        <translation>请输入服务器地址，例如 https://ntfy.example.com</translation>
    </message>
    <message>
        <source>“%1” addresses are not supported: use http://, https://, ws:// or wss://.</source>
        <translation>不支持“%1”地址：请使用 http://、https://、ws:// 或 wss://。</translation>
    </message>
    <message>
        <source>The address needs a scheme: https://%1 (or http://, ws://, wss://).</source>
        <translation>地址需要协议前缀：https://%1（或 http://、ws://、wss://）。</translation>
    </message>
    <message>
        <source>The address contains a space.</source>
        <translation>地址中含有空格。</translation>
    </message>
    <message>
        <source>The address contains characters a URL cannot have.</source>
        <translation>地址中含有 URL 不允许的字符。</translation>
    </message>
    <message>
        <source>With server keepalives, interval + timeout (%1) must be longer than ntfy&apos;s keepalive period (%2), or every quiet minute looks like a dead link; e.g. 55 s + 20 s.</source>
        <translation>使用服务器保活时，间隔 + 超时（%1）必须长于 ntfy 的保活周期（%2），否则每段安静的时间都会被当作连接已断开；例如 55 秒 + 20 秒。</translation>
    </message>
</context>
<context>
    <name>traybeat::SubscriptionEditor</name>
    <message>
        <source>ntfy</source>
        <translation>ntfy</translation>
    </message>
    <message>
        <source>Gotify</source>
        <translation>Gotify</translation>
    </message>
    <message>
        <source>Plain WebSocket text</source>
        <translation>纯 WebSocket 文本</translation>
    </message>
    <message>
        <source>Subscription</source>
        <translation>订阅</translation>
    </message>
    <message>
        <source>alerts, backups</source>
        <translation>alerts, backups</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>Ping frames</source>
        <translation>Ping 帧</translation>
    </message>
    <message>
        <source>Server keepalives (send nothing)</source>
        <translation>服务器保活消息（不发送任何内容）</translation>
    </message>
    <message>
        <source>Text message</source>
        <translation>文本消息</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>服务器 URL(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Protocol:</source>
        <translation>协议(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Topics:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>Access to&amp;ken:</source>
        <translation>访问令牌(&amp;K)：</translation>
    </message>
    <message>
        <source>Connection health</source>
        <translation>连接健康检查</translation>
    </message>
    <message>
        <source>&amp;Heartbeat:</source>
        <translation>心跳(&amp;H)：</translation>
    </message>
    <message>
        <source>Heartbeat &amp;interval:</source>
        <translation>心跳间隔(&amp;I)：</translation>
    </message>
    <message>
        <source>Heartbeat time&amp;out:</source>
        <translation>心跳超时(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Reconnect after:</source>
        <translation>重新连接间隔(&amp;R)：</translation>
    </message>
    <message>
        <source>Not used by this protocol</source>
        <translation>此协议不使用</translation>
    </message>
    <message>
        <source>Enter the text to send as heartbeat, e.g. HeartBeat</source>
        <translation>请输入作为心跳发送的文本，例如 HeartBeat</translation>
    </message>
    <message>
        <source>A subscription named “%1” already exists.</source>
        <translation>名为“%1”的订阅已存在。</translation>
    </message>
    <message>
        <source>Topic names may use letters, digits, - and _ (1–64 characters): “%1” does not.</source>
        <translation>主题名只能使用字母、数字、- 和 _（1–64 个字符）：“%1”不符合要求。</translation>
    </message>
    <message>
        <source>ntfy needs at least one topic.</source>
        <translation>ntfy 至少需要一个主题。</translation>
    </message>
    <message>
        <source>Heartbeat interval: use a duration like 25s</source>
        <translation>心跳间隔：请输入类似 25s 的时长</translation>
    </message>
    <message>
        <source>Heartbeat timeout: use a duration like 10s</source>
        <translation>心跳超时：请输入类似 10s 的时长</translation>
    </message>
    <message>
        <source>Reconnect delays: use durations like 1s and 1m</source>
        <translation>重新连接间隔：请输入类似 1s 和 1m 的时长</translation>
    </message>
    <message>
        <source>The shortest reconnect delay must be longer than 0s.</source>
        <translation>最短重新连接间隔必须大于 0s。</translation>
    </message>
    <message>
        <source>The longest reconnect delay must not be shorter than the shortest.</source>
        <translation>最长重新连接间隔不能短于最短间隔。</translation>
    </message>
    <message>
        <source>A silent, dead connection is noticed within %1.</source>
        <translation>连接静默断开时，会在 %1 内被发现。</translation>
    </message>
    <message>
        <source>Sent in a request header, never in the URL.</source>
        <translation>通过请求头发送，绝不放在 URL 中。</translation>
    </message>
    <message>
        <source>Stored in the desktop keyring.</source>
        <translation>保存在桌面密钥环中。</translation>
    </message>
    <message>
        <source>Looking for the desktop keyring…</source>
        <translation>正在查找桌面密钥环…</translation>
    </message>
    <message>
        <source>Stored in traybeat.conf (readable only by you) — no keyring found.</source>
        <translation>保存在 traybeat.conf 中（只有你能读取）——未找到密钥环。</translation>
    </message>
    <message>
        <source>Test &amp;connection</source>
        <translation>测试连接(&amp;C)</translation>
    </message>
    <message>
        <source>Connects once with these settings, without saving them.</source>
        <translation>用这些设置连接一次，不保存。</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>ntfy does not answer text messages: only its keepalive (every %1) proves the link alive, so a timeout shorter than that drops a healthy link. Ping frames are the better choice.</source>
        <translation>ntfy 不会回应文本消息：只有它的保活消息（每 %1 一次）能证明连接仍然有效，所以比这更短的超时会断开正常的连接。建议使用 Ping 帧。</translation>
    </message>
    <message>
        <source>Gotify needs a client token: make one on the Clients page of Gotify&apos;s web interface.</source>
        <translation>Gotify 需要客户端令牌：请在 Gotify 网页界面的“客户端”页面创建一个。</translation>
    </message>
    <message>
        <source>“%1” contains a space: separate topics with commas.</source>
        <translation>“%1”中含有空格：多个主题请用逗号分隔。</translation>
    </message>
    <message>
        <source>Heartbeat interval must be between %1 and %2.</source>
        <translation>心跳间隔必须在 %1 到 %2 之间。</translation>
    </message>
    <message>
        <source>Heartbeat timeout must be between %1 and %2.</source>
        <translation>心跳超时必须在 %1 到 %2 之间。</translation>
    </message>
    <message>
        <source>The longest reconnect delay must be at most %1.</source>
        <translation>最长重连延迟不能超过 %1。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>已连接。</translation>
    </message>
    <message>
        <source>&amp;Sign in with:</source>
        <translation>登录方式(&amp;S)：</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation>用户名和密码</translation>
    </message>
    <message>
        <source>User na&amp;me:</source>
        <translation>用户名(&amp;M)：</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <source>Enter the user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>A user name must not contain &quot;:&quot;.</source>
        <translation>用户名不能包含“:”。</translation>
    </message>
    <message>
        <source>Enter the password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>未连接：%1</translation>
    </message>
</context>
<context>
    <name>traybeat::TextProtocol</name>
    <message>
        <source>a frame of %1 bytes is over the %2 byte limit; skipped</source>
        <translation>一个 %1 字节的帧超过了 %2 字节的上限，已跳过</translation>
    </message>
</context>
<context>
    <name>traybeat::Translations</name>
    <message>
        <source>no translation for language &quot;%1&quot; (available: en, %2); continuing in English</source>
        <translation>没有语言“%1”的翻译（可用：en、%2）；将继续使用英语</translation>
    </message>
</context>
<context>
    <name>traybeat::TrayApp</name>
    <message>
        <source>state folder: %1</source>
        <translation>状态文件夹：%1</translation>
    </message>
    <message>
        <source>cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>No system tray was found, so traybeat runs in this window. It keeps receiving and showing notifications while the window is open; closing it quits traybeat.</source>
        <translation>未找到系统托盘，因此 traybeat 在此窗口中运行。窗口打开期间会持续接收并显示通知；关闭窗口即退出 traybeat。</translation>
    </message>
    <message>
        <source>traybeat</source>
        <translation>traybeat</translation>
    </message>
    <message>
        <source>The Demo subscription of --demo is not listed: it is not saved and ends when traybeat quits.</source>
        <translation>--demo 的演示订阅不在此列出：它不会被保存，traybeat 退出时即结束。</translation>
    </message>
    <message>
        <source>no system tray available; the history window is the main window (closing it quits)</source>
        <translation>没有可用的系统托盘；历史记录窗口将作为主窗口（关闭它即退出）</translation>
    </message>
    <message>
        <source>Not connected to %1 since %2 — notifications may be delayed</source>
        <translation>自 %2 起未连接到 %1——通知可能会延迟</translation>
    </message>
    <message>
        <source>traybeat keeps trying and fetches what was sent meanwhile once the connection is back.</source>
        <translation>traybeat 会继续尝试连接，恢复后会补收期间发送的通知。</translation>
    </message>
    <message>
        <source>Cannot connect to %1: %2</source>
        <translation>无法连接到 %1：%2</translation>
    </message>
    <message>
        <source>Not connected from %1 until now.</source>
        <translation>从 %1 至今一直未连接。</translation>
    </message>
    <message>
        <source>Reconnected to %1; nothing was sent while offline</source>
        <translation>已重新连接到 %1；断线期间没有新通知</translation>
    </message>
    <message>
        <source>Reconnected to %1; 1 notification arrived that was sent while offline</source>
        <translation>已重新连接到 %1；收到 1 条断线期间发送的通知</translation>
    </message>
    <message numerus="yes">
        <source>Reconnected to %1; %n notifications arrived that were sent while offline</source>
        <translation>
            <numerusform>已重新连接到 %1；收到 %n 条断线期间发送的通知</numerusform>
        </translation>
    </message>
    <message>
        <source>traybeat tries again every 10 minutes. Check the subscription&apos;s settings (token, certificate) or choose “Reconnect now” in the tray menu.</source>
        <translation>traybeat 每 10 分钟重试一次。请检查订阅设置（令牌、证书），或在托盘菜单中选择“立即重新连接”。</translation>
    </message>
</context>
<context>
    <name>traybeat::TrayController</name>
    <message>
        <source>&amp;Reconnect now</source>
        <translation>立即重新连接(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Do not disturb</source>
        <translation>勿扰模式(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>历史记录(&amp;H)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source> (%1 unread)</source>
        <translation>（%1 条未读）</translation>
    </message>
    <message>
        <source>No subscriptions yet: add one in Settings…</source>
        <translation>还没有订阅：请在“设置…”中添加</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>正在重新连接</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>traybeat: %1</source>
        <translation>traybeat：%1</translation>
    </message>
    <message>
        <source> · do not disturb</source>
        <translation> · 勿扰模式</translation>
    </message>
    <message>
        <source>No subscriptions yet</source>
        <translation>还没有订阅</translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation>（%1）</translation>
    </message>
    <message>
        <source>last sign of life at %1</source>
        <translation>最后一次响应于 %1</translation>
    </message>
    <message>
        <source>no sign of life yet</source>
        <translation>尚无响应</translation>
    </message>
    <message>
        <source>round trip %1 ms</source>
        <translation>往返 %1 毫秒</translation>
    </message>
    <message>
        <source>next attempt at %1</source>
        <translation>下次尝试于 %1</translation>
    </message>
    <message>
        <source>%1 unread</source>
        <translation>%1 条未读</translation>
    </message>
    <message>
        <source>traybeat</source>
        <translation>traybeat</translation>
    </message>
    <message>
        <source>&amp;Mark all read</source>
        <translation>全部标为已读(&amp;M)</translation>
    </message>
    <message>
        <source>Quiet hours until %1…</source>
        <translation>静默时段至 %1…</translation>
    </message>
    <message>
        <source>&amp;Reconnect</source>
        <translation>重新连接(&amp;R)</translation>
    </message>
    <message>
        <source> · quiet hours until %1</source>
        <translation> · 静默时段至 %1</translation>
    </message>
</context>
</TS>
