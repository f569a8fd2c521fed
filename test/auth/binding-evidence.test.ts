// The card comparison of a registration, without a database: names, the ID's last four, and the stored shape read back.
import t from 'tap';
import { bindingEvidence, compareNames, evidenceFromDetails } from '../../server/auth/binding-evidence';

const card = {
  idLast4: '6789',
  subjectCn: 'Chen Ta-Wei',
  cardSerial: 'TP03000000000001',
  issuerDn: 'C=TW, O=行政院, OU=內政部憑證管理中心',
  serialHex: '0A1B',
  subjectSerial: '0000000012345678',
};

t.test('a name is exact, the same after normalisation, or a mismatch', async (t) => {
  t.equal(compareNames('王小明', '王小明'), 'exact');
  t.equal(compareNames('CHEN TA-WEI', 'Chen Ta-Wei'), 'normalised', 'Latin letters without regard to case');
  t.equal(compareNames('王　小明', '王小明'), 'normalised', 'a full-width space between Chinese characters');
  t.equal(compareNames('林美華', '陳小姐'), 'mismatch');
});

t.test('the evidence keeps the last four typed, never the full ID number, and names what was not proven', async (t) => {
  const evidence = bindingEvidence({ name: 'CHEN TA-WEI', idNumber: 'A123456789' }, card);
  t.same(evidence.idLast4, { card: '6789', typed: '6789', matched: true });
  t.equal(evidence.name.comparison, 'normalised');
  t.same(evidence.notProven, ['id_first6', 'birth_date']);
  t.notMatch(JSON.stringify(evidence), /A12345/);
});

t.test('a card without the ID attribute matches no last four', async (t) => {
  t.equal(bindingEvidence({ name: 'x', idNumber: 'A123456789' }, { ...card, idLast4: null }).idLast4.matched, false);
});

t.test('stored evidence reads back as written, and anything of another shape reads as none', async (t) => {
  const evidence = bindingEvidence({ name: 'Chen Ta-Wei', idNumber: 'A123456789' }, card);
  t.same(evidenceFromDetails(JSON.parse(JSON.stringify({ binding: evidence }))), evidence);
  t.equal(evidenceFromDetails({}), undefined);
  t.equal(
    evidenceFromDetails({ binding: { ...evidence, name: { ...evidence.name, comparison: 'maybe' } } }),
    undefined,
  );
  t.equal(evidenceFromDetails({ binding: { ...evidence, idLast4: 'x' } }), undefined);
});
