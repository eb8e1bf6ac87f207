import { describe, expect, it } from 'vitest';
import { departmentDirectory } from '../../server/evaluator/directory.js';
import type { Department } from '../../server/roster/repository.js';
import { DEMO_DEPARTMENTS, DEMO_SHORT_NAMES } from '../../surveys/demo/departments.js';
import { fold, matchDepartment, searchDirectory } from '../../web/lib/department-search.js';

const department = (code: string, name: string, group: string, shortNames: string[] = []): Department => ({
  id: code,
  code,
  name,
  group,
  shortNames,
  liaisonName: null,
  liaisonEmail: null,
});

const directory = await departmentDirectory(
  {
    groups: [
      { code: 'economic', label: '综合经济管理类' },
      { code: 'build', label: '城乡建设类' },
      { code: 'service', label: '社会服务类' },
    ],
  },
  [
    department('D01', '市发展和改革委员会', 'economic', ['市发改委']),
    department('D02', '市住房和城乡建设局', 'build', ['住建局']),
    department('D03', '市自然资源和规划局', 'build'),
    department('D04', '市建设工程质量安全监督站', 'build'),
    department('D05', '市交通运输局', 'build'),
    department('D06', '市教育局', 'service'),
    department('D07', '市12345政务服务热线中心', 'service'),
    department('D08', '中国人民银行市分行', 'economic'),
    department('D09', '住建', 'service'),
  ],
);
const entry = (code: string) => directory.departments.find((d) => d.code === code)!;
const codes = (typed: string) => searchDirectory(directory, typed).flatMap((g) => g.matches.map((m) => m.entry.code));
const kind = (code: string, typed: string) => matchDepartment(entry(code), fold(typed))?.kind ?? null;

describe('the department directory the server sends', () => {
  it('carries the toneless pinyin of the name and of each short name, read in context', async () => {
    expect(entry('D02').pinyin).toEqual(['shi zhu fang he cheng xiang jian she ju', 'zhu jian ju']);
    const pinyinOf = async (name: string) =>
      (await departmentDirectory({ groups: [] }, [department('X', name, 'g')])).departments[0].pinyin[0];
    expect(await pinyinOf('中国人民银行')).toBe('zhong guo ren min yin hang');
    expect(await pinyinOf('市绿化局')).toBe('shi lv hua ju');
    expect(await pinyinOf('市１２３45热线')).toBe('shi 1 2 3 4 5 re xian');
  });
});

describe('matching one department', () => {
  it('finds 市住房和城乡建设局 by characters in order: 住建 and 住建局', () => {
    expect(kind('D02', '住建')).toBe('prefix'); // its short name 住建局 begins with it
    const plain = { ...entry('D02'), shortNames: [], pinyin: [entry('D02').pinyin[0]] };
    expect(matchDepartment(plain, '住建')?.kind).toBe('inOrder');
    expect(matchDepartment(plain, '住建局')?.kind).toBe('inOrder');
    expect(matchDepartment(plain, '建设局')?.kind).toBe('substring');
    expect(matchDepartment(plain, '建住')).toBeNull();
  });

  it('finds a department by its short name exactly', () => {
    expect(kind('D02', '住建局')).toBe('exact');
    expect(kind('D01', '市发改委')).toBe('exact');
    expect(kind('D01', '发改')).toBe('substring');
  });

  it('finds a department by the pinyin initials or the whole pinyin of its name or a short name', () => {
    expect(kind('D02', 'zjj')).toBe('initials');
    expect(kind('D02', 'ZJJ')).toBe('initials');
    expect(kind('D02', 'zhu jian ju')).toBe('initials');
    expect(kind('D02', 'szfhcxjsj')).toBe('initials');
    expect(kind('D06', 'shijiaoyuju')).toBe('initials');
  });

  it('finds a department by the beginning of the pinyin, a run inside it, or syllables in order', () => {
    expect(kind('D02', 'zhujian')).toBe('prefix');
    expect(kind('D02', "zhu'jian")).toBe('prefix');
    expect(kind('D02', 'zhuj')).toBe('prefix');
    expect(kind('D02', 'zj')).toBe('prefix');
    expect(kind('D08', 'yinhang')).toBe('substring');
    expect(kind('D05', 'jtys')).toBe('substring');
    expect(kind('D05', 'sjj')).toBe('inOrder'); // shi jiao … ju
    expect(kind('D02', 'zhuijan')).toBeNull();
    expect(kind('D02', 'jz')).toBeNull(); // out of order
  });

  it('matches digits and full-width characters in the name', () => {
    expect(kind('D07', '12345')).toBe('substring');
    expect(kind('D07', '１２３４５')).toBe('substring');
    expect(kind('D07', 'rx')).toBe('substring');
  });

  it('matches nothing for an empty query', () => {
    expect(matchDepartment(entry('D02'), '')).toBeNull();
  });
});

describe('searching the directory', () => {
  it('ranks the exact name first, then the pinyin initials, then the beginning, a run, characters in order', () => {
    // D09 is named 住建; D02's short name begins with it; D04 has 建 after no 住: not found
    expect(codes('住建')).toEqual(['D09', 'D02']);
    expect(codes('住建局')).toEqual(['D02']);
    expect(codes('市教育局')).toEqual(['D06']);
    // 住建's initials, the beginning of 住建局's, then zhi … jian and zi … ju with syllables between
    expect(codes('zj')).toEqual(['D09', 'D02', 'D04', 'D03']);
  });

  it('puts the tighter match first within a kind', () => {
    // 建设 is contiguous in D04 and in D02's name; 市建 skips fewer characters in D04 than in D02
    const found = codes('市建');
    expect(found.indexOf('D04')).toBeLessThan(found.indexOf('D02'));
  });

  it('groups the matches by department group, the group of the best match first', () => {
    const groups = searchDirectory(directory, '住建');
    expect(groups.map((g) => [g.label, g.matches.map((m) => m.entry.name)])).toEqual([
      ['社会服务类', ['住建']],
      ['城乡建设类', ['市住房和城乡建设局']],
    ]);
    // zj: the initials of 住建, then the beginning of 住建局's; the rest in order with syllables between
    expect(searchDirectory(directory, 'zj').map((g) => [g.code, g.matches.map((m) => m.entry.code)])).toEqual([
      ['service', ['D09']],
      ['build', ['D02', 'D04', 'D03']],
    ]);
  });

  it('lists every department by group in the campaign order when nothing is typed', () => {
    expect(searchDirectory(directory, ' ').map((g) => [g.code, g.matches.map((m) => m.entry.code)])).toEqual([
      ['economic', ['D01', 'D08']],
      ['build', ['D02', 'D03', 'D04', 'D05']],
      ['service', ['D06', 'D07', 'D09']],
    ]);
  });

  it('finds nothing for text no department has', () => {
    expect(searchDirectory(directory, '公安')).toEqual([]);
    expect(searchDirectory(directory, 'xyzq')).toEqual([]);
  });
});

const demoGroups = Object.keys(DEMO_DEPARTMENTS) as (keyof typeof DEMO_DEPARTMENTS)[];
const demo = await departmentDirectory(
  { groups: demoGroups.map((code) => ({ code, label: code })) },
  demoGroups.flatMap((group) =>
    DEMO_DEPARTMENTS[group].map((name, i) =>
      department(`${group}-${i}`, name, group, DEMO_SHORT_NAMES[name]?.split('、') ?? []),
    ),
  ),
);

describe('searching the demo city’s hundred departments', () => {
  const first = (typed: string) => searchDirectory(demo, typed)[0]?.matches[0]?.entry.name;

  it('puts 市住房和城乡建设局 first for the hint’s examples 住建 and zjj, and for 住建局 and zj', () => {
    for (const typed of ['住建', '住建局', 'zjj', 'zj', 'ZJJ', 'zhujian'])
      expect([typed, first(typed)]).toEqual([typed, '市住房和城乡建设局']);
  });

  it('puts the department whose short name is typed, or its initials, first', () => {
    expect(first('人社局')).toBe('市人力资源和社会保障局');
    expect(first('rsj')).toBe('市人力资源和社会保障局');
    expect(first('wjw')).toBe('市卫生健康委员会');
    expect(first('fgw')).toBe('市发展和改革委员会');
  });
});
