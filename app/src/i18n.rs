//! The one translation table: every string the UI shows, in English and Simplified Chinese.
//!
//! Strings with values to fill in use positional placeholders (`{0}`, `{1}`) because word order
//! differs between the languages; [`fill`] substitutes them.

use leptos::prelude::*;

/// A language the UI is translated into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Locale {
    /// English.
    #[default]
    En,
    /// Simplified Chinese (zh-CN).
    ZhCn,
}

impl Locale {
    /// Every supported locale, in the order the switcher lists them.
    pub(crate) const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag, as `Intl` and `<html lang>` expect it.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The locale's own name for itself, so that users can find their language when the UI is in
    /// one they cannot read.
    pub(crate) fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    /// The closest supported locale for a language tag such as `zh-Hans-CN` or `en-GB`.
    pub(crate) fn from_tag(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("zh") { Locale::ZhCn } else { Locale::En }
    }

    /// Like [`Locale::from_tag`], but only for tags naming a supported locale exactly, as stored
    /// by the switcher.
    pub(crate) fn from_stored(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }
}

macro_rules! messages {
    ($($key:ident: $en:literal, $zh:literal;)+) => {
        /// A translatable UI string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Msg {
            $(
                #[doc = $en]
                $key,
            )+
        }

        impl Msg {
            /// Every string, for checking the table.
            #[cfg(test)]
            pub(crate) const ALL: &[Msg] = &[$(Msg::$key,)+];

            /// The text in `locale`.
            pub(crate) fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(
                        (Msg::$key, Locale::En) => $en,
                        (Msg::$key, Locale::ZhCn) => $zh,
                    )+
                }
            }
        }
    };
}

messages! {
    ProductName: "Quiver", "Quiver";
    LanguageLabel: "Language", "语言";
    // Accounts, dashboards, sharing and embedding (issue 6).
    EmailLabel: "E-mail", "电子邮箱";
    PasswordLabel: "Password", "密码";
    SignInButton: "Sign in", "登录";
    SignInWrongPassword: "Wrong e-mail or password.", "电子邮箱或密码错误。";
    SignInTooMany: "Too many failed sign-ins for this address. Wait 15 minutes and try again.", "该地址登录失败次数过多，请 15 分钟后再试。";
    SignInIncomplete: "Enter your e-mail and password.", "请输入电子邮箱和密码。";
    SignInUnavailable: "The server could not be reached. Try again.", "无法连接服务器，请重试。";
    SignOut: "Sign out", "退出登录";
    RoleViewer: "viewer", "查看者";
    RoleEditor: "editor", "编辑者";
    RoleAdmin: "admin", "管理员";
    TabDashboards: "Dashboards", "仪表盘";
    TabAdmin: "Admin", "管理";
    AdminOnly: "Only the tenant's admins manage users, API keys, row rules and settings.", "只有租户管理员可以管理用户、API 密钥、行级规则和设置。";
    AdminUsers: "Users", "用户";
    AdminAddUser: "Add user", "添加用户";
    AdminRemove: "Remove", "删除";
    AdminCreatedColumn: "Created", "创建时间";
    AdminKeys: "API keys", "API 密钥";
    AdminKeysHelp: "For server-to-server calls: your backend mints embed tokens and ingests events with a key.", "用于服务器之间的调用：您的后端用密钥签发嵌入令牌并写入事件。";
    AdminName: "Name", "名称";
    AdminCreateKey: "Create key", "创建密钥";
    AdminKeyOnce: "The new key, shown only now: copy it to your backend.", "新密钥仅显示这一次：请复制到您的后端。";
    AdminRules: "Row-level rules", "行级规则";
    AdminRulesHelp: "Whom a rule names sees only the rows of its table whose column holds one of its values, on every data path: tables, analyses, live updates, dashboards and exports.", "规则所指的人只能看到该表中此字段取值属于所列值的行，对所有数据通道生效：数据表、分析、实时更新、仪表盘和导出。";
    AdminSubject: "Applies to", "适用对象";
    AdminEveryoneWithRole: "everyone with role {0}", "所有{0}";
    AdminColumn: "Column", "字段";
    AdminValues: "Values (comma-separated)", "值（逗号分隔）";
    AdminAddRule: "Add rule", "添加规则";
    AdminBadValues: "Values: {0}", "值：{0}";
    AdminSettings: "Tenant settings", "租户设置";
    AdminAllowPublic: "Allow public share links (opened without an account)", "允许公开分享链接（无需账号即可打开）";
    AdminFrameAncestors: "Origins allowed to embed dashboards, one per line (e.g. https://console.example.com)", "允许嵌入仪表盘的来源，每行一个（例如 https://console.example.com）";
    AdminSaved: "Saved.", "已保存。";
    DashboardsTitle: "Dashboards", "仪表盘";
    NoDashboards: "No dashboards yet.", "还没有仪表盘。";
    NewDashboard: "New dashboard", "新建仪表盘";
    DashboardTitleLabel: "Title", "标题";
    NotesLabel: "Notes", "备注";
    Open: "Open", "打开";
    BackToList: "All dashboards", "全部仪表盘";
    Save: "Save", "保存";
    SavedVersion: "Saved as version {0}.", "已保存为第 {0} 版。";
    VersionConflict: "Someone saved this dashboard since you opened it (now version {0}). Reload it, then make your changes again.", "自你打开后已有人保存了此仪表盘（现为第 {0} 版）。请重新加载后再修改。";
    Reload: "Reload", "重新加载";
    Versions: "Versions", "版本";
    VersionLine: "Version {0} · {1} · {2}", "第 {0} 版 · {1} · {2}";
    ShowingVersion: "Showing version {0}. Save to make it the latest.", "正在查看第 {0} 版。保存即可设为最新版。";
    Duplicate: "Duplicate", "复制";
    Delete: "Delete", "删除";
    ConfirmDelete: "Really delete?", "确定删除？";
    ReadOnly: "Read only", "只读";
    FiltersFrom: "From", "从";
    FiltersTo: "To", "到";
    FilterColumn: "Filter by", "筛选字段";
    FilterValues: "Values (comma-separated)", "值（逗号分隔）";
    ApplyFilters: "Apply", "应用";
    ClearFilters: "Clear", "清除";
    LockedFilter: "{0} is locked to {1}", "{0} 已锁定为 {1}";
    AddToDashboard: "Add to dashboard", "添加到仪表盘";
    NewDashboardOption: "New dashboard…", "新建仪表盘…";
    Add: "Add", "添加";
    AddedTo: "Added to “{0}”.", "已添加到“{0}”。";
    TileUntitled: "Untitled tile", "未命名图块";
    TileNoData: "No data in this date range.", "此日期范围内没有数据。";
    TileRunning: "Running…", "运行中…";
    TileFailed: "This tile could not run: {0}", "此图块无法运行：{0}";
    TileDragHint: "Drag to move (the arrows move it too)", "拖动以移动（也可用箭头按钮）";
    TileMoveLeft: "Move left", "左移";
    TileMoveRight: "Move right", "右移";
    TileMoveUp: "Move up", "上移";
    TileMoveDown: "Move down", "下移";
    Wider: "Wider", "加宽";
    Narrower: "Narrower", "变窄";
    Taller: "Taller", "加高";
    Shorter: "Shorter", "变矮";
    RemoveTile: "Remove tile", "移除图块";
    CrossFilter: "Other tiles: {0}", "其他图块：{0}";
    Share: "Share", "分享";
    ShareExpiry: "Expires in", "有效期";
    OneDay: "1 day", "1 天";
    SevenDays: "7 days", "7 天";
    ThirtyDays: "30 days", "30 天";
    SharePublic: "Anyone with the link (no account)", "任何持有链接的人（无需账号）";
    CreateLink: "Create link", "创建链接";
    ShareLinks: "Links", "链接";
    PublicLink: "public", "公开";
    AccountLink: "tenant accounts", "租户账号";
    Expires: "expires {0}", "{0} 过期";
    Revoked: "revoked", "已撤销";
    Revoke: "Revoke", "撤销";
    SharedReadOnly: "Shared dashboard (read only). Filters apply to this view only.", "共享仪表盘（只读）。筛选只作用于当前视图。";
    ShareOpenFailed: "This link cannot be opened: {0}", "无法打开此链接：{0}";
    EmbedExpired: "This embedded dashboard's access has expired and the page around it sent no new token. Reload the page to continue.", "此嵌入仪表盘的访问已过期，且宿主页面未提供新令牌。请刷新页面继续。";
    EmbedNoToken: "This embedded dashboard was opened without an embed token.", "此嵌入仪表盘缺少嵌入令牌。";
    EmbedFailed: "This embedded dashboard cannot be shown: {0}", "无法显示此嵌入仪表盘：{0}";
    SignInTitle: "Sign in to Quiver", "登录 Quiver";
    SignInBody: "Open the sign-in link printed by the Quiver server when it starts. It looks like http://host/?token=… and signs you in to one tenant's data.",
        "请打开 Quiver 服务器启动时打印的登录链接。链接形如 http://host/?token=…，可让您登录到一个租户的数据。";
    SignInExpired: "Your sign-in link has expired. Open a fresh link printed by the server.",
        "您的登录链接已过期。请打开服务器打印的新链接。";
    SignInInvalid: "Your sign-in link is not valid for this server. Open the link printed by the server.",
        "您的登录链接对此服务器无效。请打开服务器打印的链接。";
    SignInMissing: "The server did not receive your sign-in token. Open the link printed by the server again.",
        "服务器没有收到您的登录令牌。请重新打开服务器打印的链接。";
    Tables: "Tables", "数据表";
    LoadedTables: "Loaded tables", "已加载的表";
    NoLoadedTables: "None yet: load a table to query it.", "暂无：加载数据表后即可查询。";
    LoadingCatalog: "Loading the catalogue…", "正在加载数据目录…";
    CatalogUnavailable: "The catalogue could not be loaded.", "无法加载数据目录。";
    Retry: "Retry", "重试";
    NRows: "{0} rows", "{0} 行";
    ChooseTable: "Choose a table on the left.", "请在左侧选择一个数据表。";
    Columns: "Columns", "列";
    ColumnName: "Name", "名称";
    ColumnType: "Type", "类型";
    ColumnRole: "Role", "角色";
    Nullable: "Nullable", "可为空";
    Yes: "yes", "是";
    No: "no", "否";
    RoleDimension: "Dimension", "维度";
    RoleMeasure: "Measure", "度量";
    RoleTime: "Time", "时间";
    RoleKey: "Key", "键";
    StatRows: "Rows", "行数";
    StatSize: "Stored size", "存储大小";
    StatDateRange: "Date range", "日期范围";
    StatPartitionKeys: "Partitioned by", "分区键";
    Undated: "not partitioned by date", "不按日期分区";
    FirstRows: "First rows", "前几行";
    FirstRowsHint: "Load the table to see its first rows.", "加载此表后即可查看前几行。";
    LoadTitle: "Load into the browser", "加载到浏览器";
    DateFrom: "From", "开始日期";
    DateTo: "To", "结束日期";
    Last7: "Last 7 days", "最近 7 天";
    Last30: "Last 30 days", "最近 30 天";
    Last90: "Last 90 days", "最近 90 天";
    LoadsWhole: "A dimension table: it loads whole.", "维度表：整表加载。";
    ColumnsToLoad: "Columns to load", "要加载的列";
    SelectAll: "All", "全选";
    SelectNone: "None", "全不选";
    Load: "Load", "加载";
    Loading: "Loading…", "加载中…";
    PickAColumn: "Choose at least one column.", "请至少选择一列。";
    BadRange: "The start date is after the end date.", "开始日期晚于结束日期。";
    FetchingManifest: "Fetching the list of partitions…", "正在获取分区列表…";
    ProgressPartitions: "{0} / {1} partitions", "{0} / {1} 个分区";
    ProgressBytes: "{0} received", "已接收 {0}";
    ProgressRows: "{0} rows decoded", "已解码 {0} 行";
    LoadingTable: "Loading {0}", "正在加载 {0}";
    LoadDone: "{0} rows loaded in {1} s", "已加载 {0} 行，用时 {1} 秒";
    LoadFailed: "Loading stopped.", "加载已中止。";
    NoPartitions: "No partitions between these dates: nothing to load.", "所选日期内没有分区：没有可加载的数据。";
    LoadedTableSummary: "{0} rows · {1} columns", "{0} 行 · {1} 列";
    SqlTitle: "SQL", "SQL";
    Run: "Run", "运行";
    Running: "Running…", "运行中…";
    RunHint: "Ctrl+Enter (⌘+Enter) runs the query.", "按 Ctrl+Enter（⌘+Enter）运行查询。";
    ShowingOf: "showing {0} of {1} rows", "显示 {1} 行中的 {0} 行";
    QueryTime: "{0} ms", "{0} 毫秒";
    NoResultYet: "Run a query to see its result here.", "运行查询后，结果将显示在这里。";
    EmptyResult: "The query returned no rows.", "查询没有返回任何行。";
    Null: "NULL", "NULL";
    Dismiss: "Dismiss", "关闭";
    ErrNetwork: "Could not reach the Quiver server.", "无法连接到 Quiver 服务器。";
    ErrHttp: "The server answered with an error (HTTP {0}).", "服务器返回了错误（HTTP {0}）。";
    ErrBadBody: "The server's answer could not be read.", "无法读取服务器的响应。";
    ErrTokenExpired: "Your sign-in link has expired.", "您的登录链接已过期。";
    ErrTokenInvalid: "Your sign-in link is not valid.", "您的登录链接无效。";
    ErrTokenMissing: "You are not signed in.", "您尚未登录。";
    ErrDecode: "A partition of {0} could not be decoded.", "无法解码 {0} 的一个分区。";
    ErrSql: "The query failed.", "查询失败。";
    ErrEngine: "The query engine failed.", "查询引擎出错。";
    Incident: "incident {0}", "事件编号 {0}";
    // Pivot builder
    TabExplore: "Explore", "探索";
    TabPivot: "Pivot", "透视";
    PivotTableLabel: "Table", "数据表";
    FieldSearch: "Search fields", "搜索字段";
    GroupDimensions: "Dimensions", "维度";
    GroupMeasures: "Measures", "度量";
    GroupTime: "Time", "时间";
    GroupKeys: "Keys", "键";
    NoFields: "No field matches.", "没有匹配的字段。";
    ShelfRows: "Rows", "行";
    ShelfColumns: "Columns", "列";
    ShelfValues: "Values", "值";
    ShelfFilters: "Filters", "筛选";
    DropHere: "Drop fields here", "将字段拖到这里";
    FieldMenu: "Field menu", "字段菜单";
    AddToRows: "Add to rows", "添加到行";
    AddToColumns: "Add to columns", "添加到列";
    AddToValues: "Add to values", "添加到值";
    AddToFilters: "Add to filters", "添加到筛选";
    MoveLeft: "Move left (Alt+←)", "左移（Alt+←）";
    MoveRight: "Move right (Alt+→)", "右移（Alt+→）";
    MoveToRows: "Move to rows", "移到行";
    MoveToColumns: "Move to columns", "移到列";
    MoveToValues: "Move to values", "移到值";
    MoveToFilters: "Move to filters", "移到筛选";
    RemoveChip: "Remove (Delete)", "移除（Delete）";
    CountOfRows: "count of rows", "行数";
    AggCount: "count", "计数";
    AggCountDistinct: "count distinct", "去重计数";
    AggSum: "sum", "求和";
    AggAvg: "average", "平均值";
    AggMin: "min", "最小值";
    AggMax: "max", "最大值";
    AggMedian: "median", "中位数";
    AggP90: "90th percentile", "第 90 百分位数";
    ShowAsValue: "value", "原值";
    ShowAsTotal: "% of total", "占总计百分比";
    ShowAsRow: "% of row", "占行百分比";
    ShowAsColumn: "% of column", "占列百分比";
    GrainHour: "hour", "小时";
    GrainDay: "day", "天";
    GrainWeek: "week", "周";
    GrainMonth: "month", "月";
    GrainQuarter: "quarter", "季度";
    GrainYear: "year", "年";
    FilterIn: "is one of", "属于";
    FilterNotIn: "is none of", "不属于";
    FilterRange: "between", "介于";
    FilterContains: "contains", "包含";
    FilterIsNull: "is empty", "为空";
    FilterIsNotNull: "is not empty", "不为空";
    FilterMin: "Min", "最小值";
    FilterMax: "Max", "最大值";
    FilterText: "Text", "文本";
    SearchValues: "Search values", "搜索值";
    ValuesNeedData: "The values appear once the data is loaded.", "数据加载后即可看到可选值。";
    DateRangeLabel: "Date range", "日期范围";
    AllDates: "All dates", "全部日期";
    SortLabel: "Sort", "排序";
    SortByLabelAsc: "Label, A to Z", "按标签升序";
    SortByLabelDesc: "Label, Z to A", "按标签降序";
    SortByValueAsc: "{0}, smallest first", "{0}，从小到大";
    SortByValueDesc: "{0}, largest first", "{0}，从大到小";
    TopNLabel: "Top N", "前 N 项";
    TopNOther: "Fold the rest into Other", "其余合并为“其他”";
    ViewTable: "Table", "表格";
    ViewBar: "Bar", "柱状图";
    ViewStackedBar: "Stacked bar", "堆叠柱状图";
    ViewLine: "Line", "折线图";
    ViewArea: "Area", "面积图";
    ViewHeatmap: "Heatmap", "热力图";
    ViewScatter: "Scatter", "散点图";
    ViewChart: "Chart", "图表";
    ColorScale: "Colour scale", "色阶";
    ExportCsv: "Export CSV", "导出 CSV";
    ExportParquet: "Export Parquet", "导出 Parquet";
    CopyTsv: "Copy as TSV", "复制为 TSV";
    Copied: "Copied to the clipboard.", "已复制到剪贴板。";
    PivotIdle: "Drag fields onto Rows, Columns and Values to build a pivot.", "将字段拖到行、列和值上以构建透视表。";
    PivotLoading: "Loading the data…", "正在加载数据…";
    PivotRunning: "Running…", "运行中…";
    PivotNoData: "No data in this date range.", "此日期范围内没有数据。";
    PivotFailed: "The pivot could not be shown.", "无法显示透视表。";
    RunAgain: "Run again", "重新运行";
    ErrSpec: "The pivot settings are not valid.", "透视设置无效。";
    ErrShape: "The pivot result could not be laid out.", "无法排布透视结果。";
    ErrExport: "The export failed.", "导出失败。";
    ErrLive: "Live updates are interrupted.", "实时更新已中断。";
    LiveConnecting: "Live: connecting…", "实时：正在连接…";
    LiveConnected: "Live", "实时";
    LiveReconnecting: "Live: reconnecting…", "实时：正在重新连接…";
    LivePaused: "Live: paused", "实时：已暂停";
    LiveOff: "Live: off", "实时：关闭";
    LiveUpdated: "updated {0}", "更新于 {0}";
    LivePause: "Pause", "暂停";
    LiveResume: "Resume", "继续";
    LivePauseHint: "Stop applying new rows; resuming catches up", "停止应用新数据；继续时会补齐";
    // Pivot results and charts
    PivotTotal: "Total", "总计";
    PivotNull: "(null)", "（空值）";
    PivotOther: "Other", "其他";
    PivotExpand: "Expand", "展开";
    PivotCollapse: "Collapse", "折叠";
    ChartNoData: "No data", "没有数据";
    ChartTruncated: "showing {0} of {1} categories, {2} of {3} series", "显示 {1} 个类别中的 {0} 个，{3} 个系列中的 {2} 个";
    ChartScatterNeedsTwo: "A scatter plot needs two values", "散点图需要两个值";
    // Analysis views
    TabAnalyze: "Analyses", "分析";
    KindFunnel: "Funnel", "漏斗";
    KindRetention: "Retention", "留存";
    KindTrend: "Event trends", "事件趋势";
    KindDistribution: "Distribution", "分布";
    KindStickiness: "Stickiness", "粘性";
    KindAb: "A/B comparison", "A/B 对比";
    KindLeads: "Lead follow-up", "线索跟进";
    HowCounted: "How {0} is counted", "{0}的计算方法";
    HelpFunnel: "Each user's events are sorted by time. Every event of step 1 starts a chain; each next step is the first later event (the same instant counts) that matches it within the window after step 1, bounds included; one event fills at most one step. A user's level is the best chain's; times and breakdowns use the earliest chain reaching that level. Strict: no other event of the user between two steps. Any order: steps in any order inside the window. Dedup: a chain stops when a step it already matched repeats before the next step. Increase: each step strictly after the previous one. An exclusion event between two steps stops the chain. Conversion overall is step k ÷ step 1, step to step is step k ÷ step k−1; times are median and p95 over the reported chains. Breakdown attribution: the value at step 1 (first touch, default), at the last step reached, or at a chosen step.",
        "每个用户的事件按时间排序。步骤 1 的每个事件开启一条链；之后每一步取步骤 1 之后窗口内（含边界，同一时刻也算）第一个匹配该步骤的后续事件；一个事件最多填充一个步骤。用户的层级取最佳链；时长与分组使用达到该层级的最早一条链。严格：两步之间该用户没有任何其他事件。任意顺序：窗口内步骤顺序不限。去重：下一步之前已匹配的步骤再次出现则链终止。递增：每一步严格晚于上一步。两步之间出现排除事件则链终止。总体转化率为第 k 步 ÷ 第 1 步，步骤转化率为第 k 步 ÷ 第 k−1 步；时长为报告链的中位数与 p95。分组归因：第 1 步的值（首次触点，默认）、最后到达步骤的值或指定步骤的值。";
    HelpRetention: "First time (default): a user's cohort is the period of their first start event in the range; recurring: every period with a start event is a cohort. Period N is the Nth calendar period after the cohort's (weeks start on Monday, in the tenant's time zone); period 0 is 100%. On (default): retained in period N if a return event falls in it; on or after: in period N or later, and only users for whom period N is over are counted. Periods not over yet are marked with *, not hidden. The first row is the cohort-size-weighted mean.",
        "首次（默认）：用户的同期群为其在范围内首次起始事件所在的周期；重复：每个有起始事件的周期都算一次同期群。第 N 期是同期群所在周期之后的第 N 个日历周期（周从周一开始，按租户时区）；第 0 期为 100%。当期（默认）：第 N 期内有回访事件即算留存；当期或之后：第 N 期或之后有回访事件即算留存，且只统计第 N 期已结束的用户。尚未结束的周期以 * 标出而不隐藏。第一行是按同期群人数加权的平均值。";
    HelpTrend: "Per time bucket in the tenant's time zone: events (PV), distinct users (UV) and events per user. DAU, WAU and MAU are distinct users over the day, 7 days and 30 days ending on each day. A breakdown keeps the top groups and puts the rest in Other. Comparisons line each bucket up with the previous period of equal length and with the same days a year earlier, as absolute and relative change. Buckets not over yet are marked partial.",
        "按租户时区的每个时间桶统计：事件数（PV）、去重用户数（UV）和人均事件数。DAU、WAU、MAU 为截至每天的 1 天、7 天、30 天内的去重用户数。分组保留前几组，其余归入“其他”。对比将每个时间桶与等长的上一周期及一年前的同一天对齐，显示绝对变化和相对变化。尚未结束的时间桶标记为不完整。";
    HelpDistribution: "Users in the date range bucketed by how many times they did the event; each bucket runs from its lower bound to just below the next bound, the last one is open-ended.",
        "按用户在日期范围内做该事件的次数分桶；每个桶从其下界到下一个下界之前，最后一个桶不设上限。";
    HelpStickiness: "Users bucketed by how many distinct days of the range (in the tenant's time zone) they were active; 'at least' is the share active on that many days or more.",
        "按用户在范围内（租户时区）活跃的不同天数分桶；“至少”为活跃天数不少于该值的用户占比。";
    HelpAb: "Each user belongs to the bucket of their first exposure. Per bucket: users, the metric (a conversion rate or a mean per user), the gap to the control bucket, absolute and relative, and a 95% confidence interval of the gap: normal approximation for rates, Welch for means. Buckets under 30 users are flagged.",
        "每个用户归入其首次曝光的分桶。每个分桶显示：用户数、指标（转化率或人均值）、与对照组的绝对差和相对差，以及差值的 95% 置信区间：比率用正态近似，均值用 Welch 方法。少于 30 个用户的分桶会被标出。";
    HelpLeads: "Speed to lead is the first rep activity (call, IM, e-mail, visit) after the lead was created; response time is the first activity after the latest assignment, measured against the SLA. System events never count as a touch. A lead is overdue when assigned, untouched since, and waiting longer than the SLA. Contact rate is leads with a connected activity over leads with any activity. Conversion is in cohort form (of the leads created in the range, the share won so far) unless the period form is chosen, and is labelled so.",
        "首次响应速度为线索创建后销售的第一次跟进活动（电话、IM、邮件、拜访）；响应时间为最近一次分配之后的第一次跟进，并与 SLA 比较。系统事件不算跟进。已分配、此后未被跟进且等待超过 SLA 的线索即为逾期。接通率为有接通活动的线索数 ÷ 有任何活动的线索数。转化率默认按同期群口径（范围内创建的线索中至今赢单的比例），选择期间口径时会明确标注。";
    AnalysisIncomplete: "{0}: {1}", "{0}：{1}";
    AnalysisFailed: "The analysis could not be run.", "无法运行该分析。";
    AnyEvent: "(any event)", "（任意事件）";
    AddStep: "Add step", "添加步骤";
    RemoveStep: "Remove step", "删除步骤";
    AddEvent: "Add event", "添加事件";
    Step: "Step", "步骤";
    AtStepN: "At step {0}", "第 {0} 步";
    ConversionWindow: "Conversion window", "转化窗口";
    UnitDays: "days", "天";
    UnitHours: "hours", "小时";
    UnitMinutes: "minutes", "分钟";
    FunnelOrder: "Order", "顺序";
    ModeOrdered: "In order", "按顺序";
    ModeStrict: "Strict order", "严格顺序";
    ModeAnyOrder: "Any order", "任意顺序";
    Dedup: "Stop on a repeated step", "重复步骤时终止";
    Increase: "Steps strictly later", "步骤时间严格递增";
    LastNDays: "Last {0} days", "最近 {0} 天";
    FixedDays: "Fixed days…", "固定日期…";
    BreakdownBy: "Breakdown", "分组";
    NoBreakdown: "(none)", "（无）";
    Attribution: "Attribution", "归因";
    FirstTouch: "First touch", "首次触点";
    LastTouch: "Last touch", "末次触点";
    StartEvent: "Start event", "起始事件";
    ReturnEvent: "Return event", "回访事件";
    Period: "Period", "周期";
    Periods: "Periods (0: to today)", "周期数（0：至今天）";
    PeriodN: "Period {0}", "第 {0} 期";
    RetentionKind: "Cohorts", "同期群";
    FirstTime: "First time", "首次";
    Recurring: "Recurring", "重复";
    Criterion: "Retained when", "留存条件";
    CriterionOn: "Returned in the period", "当期回访";
    CriterionOnOrAfter: "Returned in it or later", "当期或之后回访";
    Cohort: "Cohort", "同期群";
    WeightedAverage: "All cohorts (weighted)", "全部同期群（加权）";
    IncompleteNote: "* period not over yet: its figure can still grow.", "* 周期尚未结束：数值仍可能增加。";
    PeriodInProgress: "This period is not over yet", "该周期尚未结束";
    PeriodNotStarted: "This period has not started", "该周期尚未开始";
    RetainedShare: "Retained", "留存率";
    MeasurePv: "Events (PV)", "事件数（PV）";
    MeasureUv: "Users (UV)", "用户数（UV）";
    MeasurePerEntity: "Per user", "人均";
    MeasureDau: "DAU", "日活";
    MeasureWau: "WAU", "周活";
    MeasureMau: "MAU", "月活";
    Grain: "Interval", "时间粒度";
    ComparePreviousPeriod: "Previous period", "上一周期";
    ComparePreviousYear: "A year earlier", "去年同期";
    Series: "Series", "系列";
    Total: "Total", "合计";
    PartialBucketNote: "The last interval is not over yet.", "最后一个时间段尚未结束。";
    CountedEvent: "Counted event", "统计事件";
    ActiveEvent: "Active when doing", "活跃事件";
    BucketBounds: "Bucket lower bounds", "分桶下界";
    EventsPerEntity: "Times per user", "人均次数";
    ShareCol: "Share", "占比";
    AtLeastShare: "At least", "至少";
    ActiveDays: "Active days", "活跃天数";
    DistributionTotals: "{0} users did it {1} times.", "{0} 位用户共做了 {1} 次。";
    StickinessTotals: "{0} users, active {1} of {2} days on average.", "{0} 位用户，平均在 {2} 天中活跃 {1} 天。";
    Entities: "Users", "用户数";
    ConversionOverall: "Overall conversion", "总体转化率";
    ConversionStep: "Step conversion", "步骤转化率";
    DropOff: "Dropped off", "流失";
    MedianTime: "Median time", "中位时长";
    P95Time: "p95 time", "p95 时长";
    TimeToConvert: "Time to convert", "转化时长";
    DurSeconds: "{0} s", "{0} 秒";
    DurMinutes: "{0} min", "{0} 分钟";
    DurHours: "{0} h", "{0} 小时";
    DurDays: "{0} d", "{0} 天";
    BucketColumn: "Bucket column", "分桶字段";
    ChooseColumn: "Choose a column", "请选择字段";
    ControlBucket: "Control", "对照组";
    ChooseBucket: "Choose a bucket", "请选择分桶";
    Metric: "Metric", "指标";
    MetricConversion: "Conversion rate", "转化率";
    MetricMean: "Mean per user", "人均值";
    MetricEvent: "Metric event", "指标事件";
    AbConfidence: "{0} confidence intervals of the gap to control; metric: {1}.", "与对照组差值的 {0} 置信区间；指标：{1}。";
    AbSeveralBuckets: "{0} users were exposed to several buckets; each counts in their first.", "{0} 位用户曝光于多个分桶；每人只计入首次曝光的分桶。";
    Bucket: "Bucket", "分桶";
    Control: "control", "对照";
    MetricValue: "Value", "数值";
    GapToControl: "Gap", "差值";
    RelativeGap: "Relative gap", "相对差值";
    ConfidenceInterval: "95% interval of the gap", "差值的 95% 置信区间";
    PValue: "p-value", "p 值";
    SmallSample: "Fewer than 30 users: the interval is unreliable", "少于 30 个用户：置信区间不可靠";
    SlaMinutes: "SLA (minutes)", "SLA（分钟）";
    ConversionCounted: "Conversion", "转化口径";
    CohortForm: "Cohort (of leads created in the range)", "同期群（范围内创建的线索）";
    PeriodForm: "Period (won ÷ created in the range)", "期间（范围内赢单 ÷ 创建）";
    RankRepsBy: "Rank reps by", "销售排序";
    RepWonAmount: "Won amount", "赢单金额";
    RepWithinSla: "Within SLA", "SLA 内跟进";
    RepMedianResponse: "Median response", "响应时间中位数";
    RepAssigned: "Assigned leads", "分配线索数";
    RepConversion: "Conversion", "转化率";
    Leads: "Leads", "线索数";
    SpeedToLead: "Speed to lead (median)", "首次响应速度（中位数）";
    MedianResponse: "Response time (median)", "响应时间（中位数）";
    WithinSla: "Within SLA", "SLA 内跟进";
    ContactRate: "Contact rate", "接通率";
    ResponseBands: "Response time bands", "响应时间分段";
    ResponseTime: "Response time", "响应时间";
    LeadFunnel: "Lead funnel", "线索漏斗";
    Leaderboard: "Reps", "销售排行";
    Rep: "Rep", "销售";
    OverdueTitle: "Overdue leads ({0})", "逾期线索（{0}）";
    Lead: "Lead", "线索";
    AssignedAt: "Assigned", "分配时间";
    Waiting: "Waiting", "已等待";
    OverdueBy: "Over the SLA by", "超出 SLA";
    EditAsJson: "Edit as JSON", "以 JSON 编辑";
    Apply: "Apply", "应用";
}

/// Replaces `{0}`, `{1}`, … in `template` with `args`.
pub(crate) fn fill(template: &str, args: &[&str]) -> String {
    let mut out = template.to_owned();
    for (i, arg) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), arg);
    }
    out
}

/// The reactive locale, shared through the Leptos context.
#[derive(Clone, Copy, Debug)]
pub(crate) struct I18n {
    /// The locale the UI is shown in.
    pub(crate) locale: RwSignal<Locale>,
}

impl I18n {
    /// Creates the locale signal.
    pub(crate) fn new(locale: Locale) -> Self {
        Self { locale: RwSignal::new(locale) }
    }

    /// The text of `msg` in the current locale; reactive when read inside a view closure.
    pub(crate) fn t(self, msg: Msg) -> &'static str {
        msg.text(self.locale.get())
    }

    /// Like [`I18n::t`] with placeholders filled in.
    pub(crate) fn f(self, msg: Msg, args: &[&str]) -> String {
        fill(self.t(msg), args)
    }
}

/// The locale context, for views.
pub(crate) fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive text node for `msg`, for use directly in `view!`.
pub(crate) fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn placeholders(text: &str) -> Vec<usize> {
        (0..10).filter(|i| text.contains(&format!("{{{i}}}"))).collect()
    }

    /// A translation that drops or invents a placeholder shows a raw `{1}` or loses a number.
    #[wasm_bindgen_test]
    fn every_string_has_both_languages_with_the_same_placeholders() {
        for &msg in Msg::ALL {
            let (en, zh) = (msg.text(Locale::En), msg.text(Locale::ZhCn));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{msg:?} is missing a translation");
            assert_eq!(placeholders(en), placeholders(zh), "{msg:?}: {en:?} vs {zh:?}");
        }
    }

    #[wasm_bindgen_test]
    fn browser_languages_map_to_a_supported_locale() {
        for (tag, expected) in [
            ("zh-CN", Locale::ZhCn),
            ("zh", Locale::ZhCn),
            ("zh-Hans-SG", Locale::ZhCn),
            ("ZH-cn", Locale::ZhCn),
            ("en-US", Locale::En),
            ("fr-FR", Locale::En),
            ("", Locale::En),
        ] {
            assert_eq!(Locale::from_tag(tag), expected, "{tag}");
        }
        assert_eq!(Locale::from_stored("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_stored("zh"), None, "only tags the switcher stores");
    }

    #[wasm_bindgen_test]
    fn placeholders_are_filled_by_position_whatever_their_order() {
        assert_eq!(fill(Msg::ShowingOf.text(Locale::En), &["1,000", "5,000"]), "showing 1,000 of 5,000 rows");
        assert_eq!(fill(Msg::ShowingOf.text(Locale::ZhCn), &["1,000", "5,000"]), "显示 5,000 行中的 1,000 行");
    }
}
